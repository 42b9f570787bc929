// earshot's version, as published to Home Assistant (a test keeps it equal to package.json's).
export const EARSHOT_VERSION = '0.1.0';

/** The classifier behind per-packet classes until a trained forest is loaded. */
export const RULES_MODEL_VERSION = 'labelling-rules-1';

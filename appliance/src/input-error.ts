// The base of every error a user can fix (a bad file, field or value): the CLI shows its
// one-line message and exits 2. Anything else is a bug.
export class InputError extends Error {}

// What each `earshot` command takes, declared once for commander (cli-program.ts), so that help,
// unknown-option and missing-argument errors and the bash completion are generated, not written
// by hand per command. The commands still parse their own argv (their checks and messages stay);
// this table only has to accept what they accept. Kept apart from the commands so that help and
// validation do not load the command modules (the trainer is ~MBs; docs/cli.md).

export interface CommandSpec {
  summary: string;
  /** commander argument syntax: `<CAPTURE>` required, `[DATA...]` optional and repeated. */
  args?: string[];
  /** [flags, description]; --device may be given more than once (cli-program.ts). */
  options: Array<[string, string]>;
  examples: string[];
}

const CONFIG: [string, string] = ['-c, --config <FILE>', 'the config file (default /etc/earshot/config.yaml)'];
const PIPELINE: Array<[string, string]> = [
  ['--mic <MIC.csv>', 'the mic-state timeline recorded with the capture (once per --device, in order)'],
  ['--device <[NAME=]IP|MAC>', 'an Echo to watch; once per Echo, each judged on its own'],
  ['--grace <SECONDS>', 'seconds after a mic change before upload counts as suspicious'],
];

export const PRODUCT_SPECS: Record<string, CommandSpec> = {
  replay: {
    summary: 'run the pipeline and the judge over a capture file',
    args: ['<CAPTURE>'],
    options: [
      ...PIPELINE,
      ['--model <FILE>', 'a trained forest for the per-packet classes'],
      ['--jsonl', "print the contract's JSON lines instead of a timeline"],
      ['--mqtt <URL>', 'publish to a broker as the service would'],
      ['--id <ID>', 'the box id used in MQTT topics (with --mqtt)'],
      ['--pace <recorded|fast>', 'replay at the recorded pace or as fast as possible (with --mqtt)'],
    ],
    examples: ['earshot replay capture.pcap --mic mic.csv', 'earshot replay capture.pcap --jsonl | head'],
  },
  features: {
    summary: 'write the per-packet feature rows of a capture as CSV',
    args: ['<CAPTURE>'],
    options: [...PIPELINE, ['-o, --output <OUT.csv>', 'where to write the rows (required)']],
    examples: ['earshot features capture.pcap --mic mic.csv -o features.csv'],
  },
  figures: {
    summary: 'draw the dataset figures',
    args: ['[DATASET...]'],
    options: [
      ['-o, --output <OUT_DIR>', 'the folder for the figures (required)'],
      ['--no-png', 'write SVG only'],
    ],
    examples: ['earshot figures features.csv -o figures/'],
  },
  run: {
    summary: 'run the service (capture, judge, MQTT, LED)',
    options: [CONFIG],
    examples: ['earshot run --config /etc/earshot/config.yaml'],
  },
  record: {
    summary: 'record the Echo traffic to rotating capture files',
    options: [
      CONFIG,
      ['-o, --output <DIR>', 'the folder for the capture files'],
      ['--max-mb <MB>', 'total size kept'],
      ['--segment-mb <MB>', 'size of one file'],
      ['--segment-s <SECONDS>', 'duration of one file'],
    ],
    examples: ['earshot record -o /var/lib/earshot/captures --max-mb 500'],
  },
  train: {
    summary: 'train the packet classifier forest',
    args: ['[DATA...]'],
    options: [
      ['-o, --output <MODEL.json>', 'where to write the model'],
      ['--features <paper|traffic|paper+payload>', 'the feature set'],
      ['--mic <context|recorded>', 'how the mic state is taken'],
      ['--trees <N>', 'number of trees'],
      ['--samples-per-tree <N>', 'bootstrap sample size'],
      ['--seed <N>', 'random seed'],
      ['--keep-duplicates', 'keep duplicate rows'],
    ],
    examples: ['earshot train ../shared/data/paper-dataset -o models/earshot-forest.json'],
  },
  'train-report': {
    summary: "cross-validate the forest variants on the paper's dataset",
    args: ['[PAPER_DATASET...]'],
    options: [
      ['-o, --output <REPORT.md>', 'where to write the report'],
      ['--workers <N>', 'parallel workers'],
    ],
    examples: ['earshot train-report ../shared/data/paper-dataset -o models/REPORT.md'],
  },
  ap: {
    summary: 'render or apply the access point configuration',
    args: ['[ACTION]'],
    options: [
      ['--config <FILE>', 'the config file'],
      ['--out <DIR>', 'the folder for the rendered files'],
      ['--force', 'apply even if the files changed by hand'],
      ['--dry-run', 'show what apply would do'],
    ],
    examples: ['earshot ap render --config config.yaml --out /tmp/ap', 'earshot ap apply --config /etc/earshot/config.yaml --dry-run'],
  },
  doctor: {
    summary: 'check the box: interfaces, hardware, config',
    options: [CONFIG, ['--json', 'print the checks as one JSON object (config, ok, checks[])']],
    examples: ['earshot doctor --config /etc/earshot/config.yaml', 'earshot doctor --json'],
  },
  calibrate: {
    summary: 'calibrate the ring light sensor',
    options: [
      ['-o, --out <FILE>', 'where to save the calibration (required)'],
      ['--bus <N>', 'I2C bus'],
      ['--address <ADDR>', 'sensor address, e.g. 0x29'],
      ['--gain <1|4|16|60>', 'sensor gain'],
      ['--integration-ms <MS>', 'integration time'],
      ['--seconds <S>', 'how long to sample'],
    ],
    examples: ['earshot calibrate --out /etc/earshot/ring-calibration.json'],
  },
  firstboot: {
    summary: 'turn the boot partition config into the box config',
    options: [
      ['--boot-config <FILE>', 'the config written on the boot partition'],
      ['--out <DIR>', 'where to write the config'],
    ],
    examples: ['earshot firstboot --boot-config /boot/earshot.txt --out /etc/earshot'],
  },
};

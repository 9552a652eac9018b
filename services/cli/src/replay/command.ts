import { InvalidArgumentError, type Command } from 'commander';
import { loadConfigs } from '../config.js';
import { repoRoot } from '../paths.js';
import { parseSpeed, type ReplaySpeed } from './replay.js';

// `bourse replay <capture...> [--speed 10x|max] [--namespace ns]`: publishes a market-data capture's
// normalised events on the md.* subjects, paced by the gateway's receive times. Bad flags exit 2
// with a message naming the flag (commander's InvalidArgumentError).

const SUBJECT_TOKEN = /^[A-Za-z0-9_-]+$/;

interface ReplayFlags {
  speed: ReplaySpeed;
  namespace?: string;
  badLines: 'stop' | 'skip';
  config?: string;
}

function speed(value: string): ReplaySpeed {
  try {
    return parseSpeed(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function namespace(value: string): string {
  if (value !== '' && !SUBJECT_TOKEN.test(value))
    throw new InvalidArgumentError(`--namespace expects letters, digits, "_" or "-", got "${value}".`);
  return value;
}

function badLines(value: string): 'stop' | 'skip' {
  if (value !== 'stop' && value !== 'skip')
    throw new InvalidArgumentError(`--bad-lines expects stop or skip, got "${value}".`);
  return value;
}

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description("publish a market-data capture's events on NATS (md.* subjects), paced by their receive times")
    .argument('<capture...>', 'capture files (.ndjson.gz) or recording directories, in order')
    .option(
      '--speed <factor|max>',
      'replay speed: 1x real time, 10x ten times faster, max as fast as possible',
      speed,
      1,
    )
    .option('--namespace <ns>', "subject namespace (default: the platform config's)", namespace)
    .option('--bad-lines <stop|skip>', 'a capture line that cannot be read: stop there, or skip it', badLines, 'stop')
    .option('--config <file>', 'platform config file (default: BOURSE_CONFIG or config/bourse.yaml)')
    .action(async (paths: string[], flags: ReplayFlags) => {
      const { platform } = loadConfigs(repoRoot(), flags.config);
      const { runReplay } = await import('./run-replay.js');
      process.exitCode = await runReplay({
        paths,
        speed: flags.speed,
        namespace: flags.namespace ?? platform.config.namespace,
        natsUrl: platform.config.servers.nats,
        badLines: flags.badLines,
        log: (line) => process.stderr.write(`${line}\n`),
        out: (line) => process.stdout.write(`${line}\n`),
      });
    });
}

import { createInterface } from 'node:readline/promises';
import { CliError } from './client/index.js';

// Questions to the person at the terminal. Prompts go to stderr, so that stdout carries only
// what the command prints, whoever reads it.

export function interactive(): boolean {
  return process.stdin.isTTY === true;
}

export async function promptLine(question: string): Promise<string> {
  const reader = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await reader.question(question)).trim();
  } finally {
    reader.close();
  }
}

export async function confirm(question: string): Promise<boolean> {
  return /^y(es)?$/i.test(await promptLine(`${question} [y/N] `));
}

/** Reads a line without echoing it: the terminal is put in raw mode until Enter. */
export function promptSecret(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();

  return new Promise((resolve, reject) => {
    let typed: string[] = [];
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          finish();
          resolve(typed.join(''));
          return;
        }
        if (char === '\u0003' || (char === '\u0004' && typed.length === 0)) {
          finish();
          reject(new CliError('cancelled'));
          return;
        }
        typed = char === '\u007f' || char === '\b' ? typed.slice(0, -1) : [...typed, char];
      }
    };
    stdin.on('data', onData);
  });
}

/** All of standard input less one trailing newline, as `printf '%s\n' "$PW" |` leaves it. */
export async function readStdinSecret(what: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (text === '') throw new CliError(`standard input holds no ${what}`);

  return text;
}

/** A new password: from stdin, else $BERTH_NEW_PASSWORD, else asked twice at the terminal. */
export async function newPassword(flags: { passwordStdin?: boolean }): Promise<string> {
  if (flags.passwordStdin) return readStdinSecret('password');
  if (process.env.BERTH_NEW_PASSWORD) return process.env.BERTH_NEW_PASSWORD;
  if (!interactive()) {
    throw new CliError('no new password: pipe it with --password-stdin or set BERTH_NEW_PASSWORD');
  }

  const password = await promptSecret('New password: ');
  if (password === '') throw new CliError('the password is empty');
  if ((await promptSecret('Repeat the new password: ')) !== password) {
    throw new CliError('the passwords differ');
  }
  return password;
}

// Oracle for npm versions: the `semver` package npm itself uses (strict parsing, compare()),
// loaded from the pinned copy the generator installs (SEMVER_MODULE, a path to its index.js).
//   node oracle-npm-semver.mjs compare  < "a<TAB>b" lines  > -1, 0, 1 or "invalid" per line
//   node oracle-npm-semver.mjs validate < versions         > "valid" or "invalid" per line
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const { default: semver } = await import(pathToFileURL(process.env.SEMVER_MODULE).href);

const mode = process.argv[2];
const lines = readFileSync(0, 'utf8').split('\n').slice(0, -1);
const answers = lines.map((line) => {
  const [a, b] = line.split('\t');
  if (mode === 'validate') return semver.valid(a) === null ? 'invalid' : 'valid';
  if (semver.valid(a) === null || semver.valid(b) === null) return 'invalid';
  return String(semver.compare(a, b));
});
process.stdout.write(answers.map((answer) => `${answer}\n`).join(''));

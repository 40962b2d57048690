// Every analyser the inventory runs, in the order the layer reader offers files to them (the
// first that matches a file gets it).

import type { FileAnalyser } from '../analyser.js';
import { apkAnalysers } from './apk.js';
import { cargoLockAnalysers } from './cargo-lock.js';
import { dotnetAnalysers } from './dotnet.js';
import { dpkgAnalysers } from './dpkg.js';
import { executableAnalysers } from './executable.js';
import { javaAnalysers } from './java/index.js';
import { nodeAnalysers } from './node.js';
import { osReleaseAnalysers } from './os-release.js';
import { phpAnalysers } from './php.js';
import { pythonAnalysers } from './python.js';
import { rpmAnalysers } from './rpm/index.js';
import { rubyAnalysers } from './ruby.js';

export const analysers: readonly FileAnalyser[] = [
  ...osReleaseAnalysers,
  ...dpkgAnalysers,
  ...apkAnalysers,
  ...rpmAnalysers,
  ...nodeAnalysers,
  ...pythonAnalysers,
  // Before the executables: a jar may have its executable bit set.
  ...javaAnalysers,
  ...rubyAnalysers,
  ...phpAnalysers,
  ...cargoLockAnalysers,
  ...dotnetAnalysers,
  // Last: it takes any large executable (Go and Rust binaries), whatever its path.
  ...executableAnalysers,
];

export { debianDetails } from './dpkg.js';
export { detectOs } from './os-release.js';

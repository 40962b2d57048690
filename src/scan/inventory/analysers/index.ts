// Every analyser the inventory runs, in the order the layer reader offers files to them (the
// first that matches a file gets it).

import type { FileAnalyser } from '../analyser.js';
import { apkAnalysers } from './apk.js';
import { dpkgAnalysers } from './dpkg.js';
import { goAnalysers } from './go-binary.js';
import { nodeAnalysers } from './node.js';
import { osReleaseAnalysers } from './os-release.js';
import { pythonAnalysers } from './python.js';
import { rpmAnalysers } from './rpm/index.js';

export const analysers: readonly FileAnalyser[] = [
  ...osReleaseAnalysers,
  ...dpkgAnalysers,
  ...apkAnalysers,
  ...rpmAnalysers,
  ...nodeAnalysers,
  ...pythonAnalysers,
  // Last: it takes any large executable, whatever its path.
  ...goAnalysers,
];

export { debianDetails } from './dpkg.js';
export { detectOs } from './os-release.js';

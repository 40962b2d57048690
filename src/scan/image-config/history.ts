// Reads back the Dockerfile instruction behind an image history entry. Builders record them
// in a few shapes:
//   classic docker, buildah:  "/bin/sh -c #(nop)  ENV A=b"      (config-only steps)
//                             "/bin/sh -c apt-get update"       (RUN)
//                             "|2 A=1 B=2 /bin/sh -c make"      (RUN with build arguments)
//   BuildKit:                 "RUN /bin/sh -c make # buildkit", "ADD https://… /opt/ # buildkit"
//   kaniko and others:        "RUN make", "COPY . /app"

export interface BuildStep {
  /** Upper-case Dockerfile instruction: RUN, ADD, COPY, ENV, … */
  instruction: string;
  /** The instruction's arguments without its flags; for RUN, the command without its shell. */
  body: string;
  /** Flags written before the arguments: "--mount=type=secret,id=npm", "--checksum=sha256:…" */
  flags: string[];
  /** Build arguments a RUN step was given, as the history records them. */
  buildArgs: { name: string; value: string }[];
}

const INSTRUCTIONS = new Set([
  ...['ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL'],
  ...['MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR'],
]);

const NOP = /^\/bin\/sh -c #\(nop\)\s*/;
const SHELL = /^(?:\/bin\/|\/usr\/bin\/)?(?:sh|bash|ash|dash)\s+-[a-z]*c\s+/;

export function buildStep(createdBy: string): BuildStep {
  let text = createdBy.trim().replace(/\s+#\s*buildkit$/, '');
  const nop = NOP.exec(text);
  if (nop) text = text.slice(nop[0].length);

  let instruction = 'RUN';
  const word = /^([A-Za-z]+)\s+/.exec(text);
  const named = word && INSTRUCTIONS.has(word[1]!.toUpperCase());
  // Without "#(nop)", only an upper-case word is an instruction: "env A=1 make" is a command.
  if (word && named && (nop || word[1] === word[1]!.toUpperCase())) {
    instruction = word[1]!.toUpperCase();
    text = text.slice(word[0].length);
  }

  const flags: string[] = [];
  const buildArgs: BuildStep['buildArgs'] = [];
  for (let progress = true; progress;) {
    progress = false;
    const flag = /^(--[a-z-]+(?:=\S*)?)\s*/.exec(text);
    if (flag) {
      flags.push(flag[1]!);
      text = text.slice(flag[0].length);
      progress = true;
    }
    const args = instruction === 'RUN' ? /^\|(\d+)\s+/.exec(text) : null;
    if (args) {
      text = text.slice(args[0].length);
      text = takeBuildArgs(text, Number(args[1]), buildArgs);
      progress = true;
    }
  }

  if (instruction === 'RUN') text = text.replace(SHELL, '');

  return { instruction, body: text.trim(), flags, buildArgs };
}

/** Takes `count` NAME=value words off the front of `text`; returns the rest. */
function takeBuildArgs(text: string, count: number, into: BuildStep['buildArgs']): string {
  let rest = text;
  for (let taken = 0; taken < count; taken++) {
    const pair = /^([A-Za-z_][A-Za-z0-9_]*)=(\S*)\s*/.exec(rest);
    if (!pair) break;
    into.push({ name: pair[1]!, value: pair[2]! });
    rest = rest.slice(pair[0].length);
  }

  return rest;
}

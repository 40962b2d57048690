// A small flame graph in SVG: callers below, callees above, width by time. Frames narrower than
// half a percent are left out to keep the file small; hover a frame for its full name and time.

export interface FlameNode {
  name: string;
  /** Milliseconds spent in this frame and everything it called. */
  value: number;
  children: Map<string, FlameNode>;
}

const WIDTH = 1200;
const ROW = 16;
const MIN_SHARE = 0.005;
const CHAR_WIDTH = 6.5;

export function renderFlameGraph(title: string, root: FlameNode): string {
  const placed: { node: FlameNode; x: number; level: number; width: number }[] = [];
  let depth = 0;
  const place = (node: FlameNode, x: number, level: number) => {
    const width = (node.value / root.value) * WIDTH;
    depth = Math.max(depth, level);
    placed.push({ node, x, level, width });
    let childX = x;
    for (const child of [...node.children.values()].sort((a, b) => b.value - a.value)) {
      if (child.value / root.value < MIN_SHARE) continue;
      place(child, childX, level + 1);
      childX += (child.value / root.value) * WIDTH;
    }
  };
  if (root.value > 0) place(root, 0, 0);

  const height = (depth + 1) * ROW + 24;
  const frames = placed.map((p) => frame(p.node, p.x, height - (p.level + 1) * ROW, p.width, root));

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" ` +
      'font-family="monospace" font-size="11">',
    `<text x="4" y="16" font-size="13">${escape(title)}: ` +
      `${(root.value / 1000).toFixed(1)} s busy</text>`,
    ...frames,
    '</svg>',
    '',
  ].join('\n');
}

function frame(node: FlameNode, x: number, y: number, width: number, root: FlameNode): string {
  const percent = ((100 * node.value) / root.value).toFixed(1);
  const label = fit(node.name, width);
  // Berth's code orange, Node's blue, dependencies and native yellow.
  const hue = node.name.includes(' src/') ? 28 : node.name.includes('node:') ? 200 : 50;
  const text = label
    ? `<text x="${(x + 3).toFixed(1)}" y="${y + ROW - 4}">${escape(label)}</text>`
    : '';

  return (
    `<g><title>${escape(node.name)}: ${node.value.toFixed(0)} ms (${percent}%)</title>` +
    `<rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(width - 0.5, 0.5).toFixed(1)}" ` +
    `height="${ROW - 1}" fill="hsl(${hue},80%,${62 + (Math.round(x) % 4) * 4}%)"/>${text}</g>`
  );
}

function fit(name: string, width: number): string {
  const chars = Math.floor((width - 6) / CHAR_WIDTH);
  if (chars < 3) return '';

  return name.length <= chars ? name : `${name.slice(0, chars - 1)}…`;
}

function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * The hierarchy repair of runtime contract §5.2 (`repair_hierarchy`): each root-level child moves
 * under the node of the tree that envelopes it in time with the smallest positive slack.
 *
 * The Python version scans the whole tree for every root-level child (quadratic: seconds for a few
 * thousand spans). Here one sweep over start times finds each child's best envelope among the
 * intervals open at its start, so the cost grows with the trace size times the nesting depth.
 * Ties of equal slack go to the node first in depth-first order of the tree before any move.
 */

/** What the repair needs of a tree node. */
export interface RepairNode {
  readonly startTime: number | null;
  readonly endTime: number | null;
  children: RepairNode[];
}

function depthFirst(root: RepairNode): RepairNode[] {
  const out: RepairNode[] = [];
  const stack: RepairNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    out.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
  return out;
}

/** Repairs the tree under `root` in place (see the module comment). */
export function repairHierarchy(root: RepairNode): void {
  let top = root;
  // A chain of single children (a session wrapper) is followed first.
  while (top.children.length === 1) top = top.children[0]!;
  if (top.children.length === 0) return;

  const rootChildren = [...top.children];
  const candidates = depthFirst(top).slice(1);
  const order = new Map(candidates.map((node, i) => [node, i]));
  // The root-level child each node sits under, before any move.
  const rootChildOf = new Map<RepairNode, RepairNode>();
  for (const child of rootChildren) for (const node of depthFirst(child)) rootChildOf.set(node, child);

  // Sweep: children by start time; the open set holds the candidates that started at or before
  // the child's start and have not ended before it (only they can envelope it).
  const byStart = candidates
    .filter((n) => n.startTime !== null && n.endTime !== null)
    .sort((a, b) => a.startTime! - b.startTime! || order.get(a)! - order.get(b)!);
  const sweepChildren = rootChildren
    .filter((c) => c.startTime !== null && c.endTime !== null)
    .sort((a, b) => a.startTime! - b.startTime!);
  const best = new Map<RepairNode, RepairNode>();
  let open: RepairNode[] = [];
  let next = 0;
  for (const child of sweepChildren) {
    const start = child.startTime!;
    const end = child.endTime!;
    while (next < byStart.length && byStart[next]!.startTime! <= start) open.push(byStart[next++]!);
    open = open.filter((n) => n.endTime! >= start);
    let chosen: RepairNode | null = null;
    let chosenSlack = Number.POSITIVE_INFINITY;
    for (const node of open) {
      if (node.endTime! < end || rootChildOf.get(node) === child) continue;
      const slack = node.endTime! - end + (start - node.startTime!);
      if (slack <= 0) continue;
      if (slack < chosenSlack || (slack === chosenSlack && order.get(node)! < order.get(chosen!)!)) {
        chosen = node;
        chosenSlack = slack;
      }
    }
    if (chosen !== null) best.set(child, chosen);
  }

  // Apply in child order. A move can put one root child inside another; then a child's best
  // envelope may have become its own descendant, and the slow scan decides for that child.
  const movedUnder = new Map<RepairNode, RepairNode>();
  const currentTop = (node: RepairNode): RepairNode | undefined => {
    let owner = rootChildOf.get(node);
    const seen = new Set<RepairNode>();
    while (owner !== undefined && movedUnder.has(owner) && !seen.has(owner)) {
      seen.add(owner);
      owner = rootChildOf.get(movedUnder.get(owner)!);
    }
    return owner;
  };
  let remaining = rootChildren.length;
  for (const child of rootChildren) {
    if (remaining <= 1) break;
    let target = best.get(child);
    if (target !== undefined && currentTop(target) === child)
      target = slowBest(top, child, movedUnder) ?? undefined;
    if (target === undefined) continue;
    target.children.push(child);
    movedUnder.set(child, target);
    remaining--;
  }
  if (movedUnder.size > 0) top.children = top.children.filter((c) => !movedUnder.has(c));
}

/** The envelope of `child` by a full scan of the current tree, excluding the child's own subtree. */
function slowBest(
  top: RepairNode,
  child: RepairNode,
  movedUnder: ReadonlyMap<RepairNode, RepairNode>,
): RepairNode | null {
  const start = child.startTime!;
  const end = child.endTime!;
  const own = new Set(depthFirst(child));
  let chosen: RepairNode | null = null;
  let chosenSlack = Number.POSITIVE_INFINITY;
  // Moved children are still listed under the top until the end of the repair: skip them there
  // (they are reached again under their new parent).
  const current = { ...top, children: top.children.filter((c) => !movedUnder.has(c)) };
  for (const node of depthFirst(current)) {
    if (node === current || own.has(node) || node.startTime === null || node.endTime === null) continue;
    if (node.startTime > start || node.endTime < end) continue;
    const slack = node.endTime - end + (start - node.startTime);
    if (slack > 0 && slack < chosenSlack) {
      chosen = node;
      chosenSlack = slack;
    }
  }
  return chosen;
}

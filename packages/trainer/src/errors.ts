/**
 * The TypeScript form of Python's `ValueError`: a bad value (an unknown strategy name, a spec that
 * is not a class, conflicting options). Kept apart from `TypeError` (a component of the wrong
 * type), as upstream's tests tell the two apart (orchestration §7).
 */
export class ValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ValueError";
  }
}

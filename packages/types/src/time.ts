/** Current time as float seconds since the Unix epoch: the wire's time unit. */
export function nowSeconds(): number {
  return Date.now() / 1000;
}

// Text helpers for messages and for values cut to a service's length limit.

/** A value as shown in a message: quoted with escapes visible, cut when long. */
export function showValue(v: string): string {
  const cut = v.length > 60 ? `${cutAtCodePoint(v, 57)}...` : v;
  return JSON.stringify(cut);
}

/** The longest prefix of `s` of at most `max` UTF-16 units that does not split a surrogate pair. */
export function cutAtCodePoint(s: string, max: number): string {
  if (s.length <= max) return s;
  const last = s.charCodeAt(max - 1);
  return s.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

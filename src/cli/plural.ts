/** "1 route", "2 routes": counts people read. Every noun here takes a plain -s. */
export const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

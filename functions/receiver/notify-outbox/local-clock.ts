/** A moment as the desk's people read it, in TZ: its date, its time of day, and minutes after midnight. */
export function localClock(at: number, timeZone: string): { date: string; time: string; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return { date: `${part('year')}-${part('month')}-${part('day')}`, time: `${part('hour')}:${part('minute')}`, minutes: Number(part('hour')) * 60 + Number(part('minute')) };
}

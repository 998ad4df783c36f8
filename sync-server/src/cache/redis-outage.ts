/**
 * Tells when a Redis outage ends, once per outage. An outage is what this instance saw: a failed or
 * timed-out cache call, or its bus subscriber losing its connection. It ends when the cache answers
 * and the subscriber is connected again; then `recovered` runs (the cache rotates its epoch if it
 * missed a write, and the devices connected here are poked: the pokes published during the outage
 * were lost, and a device that was told "nothing new" from a stale cache must pull again).
 */
export class RedisOutage {
  private down = false;
  private cacheUp = true;
  private subscriberUp = true;

  constructor(private readonly recovered: () => Promise<void>) {}

  cacheFailed(): void {
    this.cacheUp = false;
    this.down = true;
  }

  cacheAnswered(): void {
    this.cacheUp = true;
    this.settle();
  }

  subscriberLost(): void {
    this.subscriberUp = false;
    this.down = true;
  }

  subscriberBack(): void {
    this.subscriberUp = true;
    this.settle();
  }

  private settle(): void {
    if (!this.down || !this.cacheUp || !this.subscriberUp) return;
    this.down = false;
    void this.recovered().catch(() => {});
  }
}

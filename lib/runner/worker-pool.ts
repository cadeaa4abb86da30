/**
 * Extra lab processes for checks that need several (ctx.spawn(): racers,
 * lock holders, session owners). Node, tsx and the lab file take ~0.6 s to
 * load, so the lab's `workers` (lib/catalog.yaml) are started ahead and
 * replaced as they are taken.
 */
import { Sandbox } from '../sandbox/sandbox.ts';

export class WorkerPool {
  private warm: Sandbox[] = [];
  private disposed = false;

  constructor(private readonly labFile: string, private readonly size: number, private readonly job: string) {
    for (let i = 0; i < size; i++) this.warm.push(this.start());
  }

  private start(): Sandbox {
    const box = Sandbox.spawn({ job: this.job });
    void box.load(this.labFile);
    return box;
  }

  take(): Sandbox {
    const box = this.warm.shift() ?? this.start();
    // After the run (a check abandoned at its time limit still asking): a process that ends at once.
    if (this.disposed) box.dispose();
    return box;
  }

  /** Between checks: warm up what the last check took, for the next one. */
  refill(): void {
    while (!this.disposed && this.warm.length < this.size) this.warm.push(this.start());
  }

  dispose(): void {
    this.disposed = true;
    this.warm.forEach((box) => box.dispose());
  }
}

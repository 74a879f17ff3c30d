import autocannon from 'autocannon';

/**
 * Runs autocannon in this process, one run at a time, and can stop the run in progress (on
 * Ctrl-C or an error elsewhere). One per benchmark run, passed to whoever sends load: the
 * instance, not a module variable, holds the run in progress.
 */
export class Load {
  private current: autocannon.Instance | undefined;

  run(opts: autocannon.Options): Promise<autocannon.Result> {
    return new Promise((resolve, reject) => {
      this.current = autocannon(opts, (err, result) => {
        this.current = undefined;
        if (err) reject(err);
        else resolve(result);
      });
    });
  }

  stop(): void {
    this.current?.stop();
  }
}

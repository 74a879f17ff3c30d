import { type ChildProcess, execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { killRedisServer, spawnRedisServer } from './redis-server';

/** A real Redis Cluster of three masters on loopback, owned (and killed) by one test file. */
export interface RedisCluster {
  /** The seed nodes, `127.0.0.1:port`, as `store.redis.cluster.nodes` takes them. */
  nodes: string[];
  ports: number[];
  /** Kills node `i` (SIGKILL, by its PID): a crashed master. */
  killNode(i: number): Promise<void>;
  /** Starts node `i` again on its port, with its nodes.conf (same id, same slots, no data). */
  restartNode(i: number): Promise<void>;
  /** Kills the three servers (by their own handles, i.e. their PIDs) and removes their folder. */
  stop(): Promise<void>;
}

/** True when `redis-server` and `redis-cli` (Debian's redis-server and redis-tools) are here. */
export const hasRedisClusterTools = () => !spawnSync('redis-server', ['--version']).error && !spawnSync('redis-cli', ['--version']).error;

const run = (args: string[]) =>
  new Promise<string>((resolve, reject) =>
    execFile('redis-cli', args, { timeout: 30_000 }, (error, stdout, stderr) => (error ? reject(new Error(`redis-cli ${args.join(' ')}: ${error.message}\n${stdout}${stderr}`)) : resolve(stdout))),
  );

/** Starts one cluster-enabled redis-server and waits until it accepts connections. */
function startNode(port: number, dir: string, extra: string[]): Promise<ChildProcess> {
  return spawnRedisServer(
    ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`,
      '--cluster-node-timeout', '5000', '--dir', dir, '--save', '', '--appendonly', 'no', ...extra],
  );
}


/**
 * Starts three `redis-server --cluster-enabled yes` on random ports (each also needs its bus port,
 * port + 10000), joins them with `redis-cli --cluster create ... --cluster-replicas 0`, and
 * resolves once every node reports `cluster_state:ok`. `serverArgs` go to every server (an ACL,
 * for example), `cliArgs` to every redis-cli call (its credentials).
 */
export async function startRedisCluster(options: { serverArgs?: string[]; cliArgs?: string[] } = {}): Promise<RedisCluster> {
  const extra = options.serverArgs ?? [];
  const auth = options.cliArgs ?? [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-cluster-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(killRedisServer));
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ports: number[] = [];
    for (let i = 0; i < 3; i++) {
      // A random port (or its bus port) may be taken; a few attempts make a collision unlikely.
      for (let attempt = 0; ; attempt++) {
        const port = 20000 + Math.floor(Math.random() * 25000);
        if (ports.includes(port)) continue;
        try {
          children.push(await startNode(port, dir, extra));
          ports.push(port);
          break;
        } catch (error) {
          if (attempt >= 4) throw error;
        }
      }
    }
    const nodes = ports.map((p) => `127.0.0.1:${p}`);
    await run([...auth, '--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes']);
    for (const port of ports) {
      // `--cluster create` returns once the slots are assigned; the nodes agree a moment later.
      for (let i = 0; !(await run([...auth, '-p', String(port), 'cluster', 'info'])).includes('cluster_state:ok'); i++) {
        if (i > 200) throw new Error(`node ${port} never reached cluster_state:ok`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    return {
      nodes,
      ports,
      stop,
      killNode: (i) => killRedisServer(children[i]),
      restartNode: async (i) => {
        children[i] = await startNode(ports[i], dir, extra);
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

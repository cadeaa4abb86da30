import { Etcd3 } from 'etcd3';
import { createServer } from 'node:net';
const hole = createServer((s) => { s.on('data', () => {}); }); await new Promise<void>(r => hole.listen(0, '127.0.0.1', r));
const holePort = (hole.address() as any).port;
async function t(label: string, c: Etcd3, n = 4) {
  for (let i = 0; i < n; i++) {
    const t0 = Date.now();
    const r = await Promise.race([c.get('k').string().then(() => 'ok', (e) => `${e.constructor.name}: ${e.message.slice(0, 80)}`), new Promise(r => setTimeout(() => r('STILL PENDING 8s'), 8000))]);
    console.log(label, i, Date.now() - t0, 'ms', r);
  }
  c.close();
}
await t('refused-nodeadline', new Etcd3({ hosts: 'http://127.0.0.1:1' }));
await t('hole-deadline', new Etcd3({ hosts: `http://127.0.0.1:${holePort}`, defaultCallOptions: (c) => c.isStream ? {} : { deadline: Date.now() + 1000 } }));
await t('hole-nodeadline', new Etcd3({ hosts: `http://127.0.0.1:${holePort}` }), 1);
await t('hole-options', new Etcd3({ hosts: `http://127.0.0.1:${holePort}` }), 0);
const c = new Etcd3({ hosts: `http://127.0.0.1:${holePort}` });
const t0 = Date.now(); try { await c.get('k').options({ deadline: Date.now() + 1000 }).string(); } catch (e: any) { console.log('builder options', Date.now() - t0, e.constructor.name, e.message.slice(0, 60)); }
c.close(); hole.close(); process.exit(0);

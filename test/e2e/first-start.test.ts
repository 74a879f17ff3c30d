import { expect } from 'chai';
import { startGateway, type GatewayProcess } from '../helpers/gateway-process';
import { createUser } from '../helpers/sample-client';
import { NO_USER_YET, VARIABLES_IGNORED } from '../../src/runtime/bootstrap-admin';

/** The JSON log lines of a gateway's output with this message. */
const lines = (gw: GatewayProcess, message: string) =>
  gw
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: string; message: string; username?: string })
    .filter((line) => line.message === message);

/**
 * The first start of `portcullis start` (the real product, as `npm start` runs it): what it says
 * about the first administrator, at the default log level.
 */
describe('e2e: the first start and the first administrator', function () {
  this.timeout(60_000);
  let gw: GatewayProcess | undefined;
  afterEach(async () => {
    await gw?.stop();
    gw = undefined;
  });

  it('a store without any user: one line says how to create the first administrator', async () => {
    gw = await startGateway({ PORTCULLIS_LOG_LEVEL: 'info' });
    expect(lines(gw, NO_USER_YET).map((l) => l.level), 'one line, at info').to.deep.equal(['info']);
    expect(NO_USER_YET).to.contain('npx portcullis users create --username admin --admin-role super-admin');
    expect(NO_USER_YET).to.contain('PORTCULLIS_ADMIN_USERNAME and PORTCULLIS_ADMIN_PASSWORD');
    expect(gw.output()).to.not.contain(VARIABLES_IGNORED);
  });

  it('the variables on an empty store make the first super admin, and nothing else is said', async () => {
    gw = await startGateway({ PORTCULLIS_LOG_LEVEL: 'info', PORTCULLIS_ADMIN_USERNAME: 'admin', PORTCULLIS_ADMIN_PASSWORD: 'change-me-now-please' });
    expect(lines(gw, 'created the first super admin from the environment').map((l) => l.username)).to.deep.equal(['admin']);
    expect(gw.output()).to.not.contain(NO_USER_YET).and.to.not.contain(VARIABLES_IGNORED);
  });

  it('the variables once users exist: ignored, and said so once; no user is created', async () => {
    const first = await startGateway({ PORTCULLIS_LOG_LEVEL: 'info' });
    await createUser(first.env, 'dana', 'a long enough password', []);
    await first.stop();
    gw = await startGateway({
      PORTCULLIS_LOG_LEVEL: 'info',
      PORTCULLIS_SQLITE_PATH: first.env.PORTCULLIS_SQLITE_PATH,
      PORTCULLIS_ADMIN_USERNAME: 'admin',
      PORTCULLIS_ADMIN_PASSWORD: 'change-me-now-please',
    });
    expect(lines(gw, VARIABLES_IGNORED).map((l) => l.level)).to.deep.equal(['info']);
    expect(gw.output()).to.not.contain('created the first super admin').and.to.not.contain(NO_USER_YET);
    const users = JSON.parse((await gw.cli(['users', 'list', '--json'])).stdout) as Array<{ username: string }>;
    expect(users.map((u) => u.username)).to.deep.equal(['dana']);
  });
});

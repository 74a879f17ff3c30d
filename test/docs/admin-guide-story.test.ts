import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { normalise, runStory, storyBlocks } from '../helpers/doc-story';
import { startGateway, tempDir, type GatewayProcess } from '../helpers/gateway-process';

const GUIDE = path.resolve(__dirname, '..', '..', 'docs', 'admin-guide.md');

/**
 * docs/admin-guide.md's REST API examples, pasted one after the other into one shell as the guide
 * says, against a real gateway whose first administrator is the guide's own (`admin`,
 * `change-me-now-please`, from "The first administrator").
 */
describe('docs: the admin guide REST API examples run as written', function () {
  this.timeout(90_000);
  const blocks = storyBlocks(fs.readFileSync(GUIDE, 'utf8'));
  let gw: GatewayProcess;
  let run: Awaited<ReturnType<typeof runStory>>;

  before(async () => {
    gw = await startGateway({ PORTCULLIS_ADMIN_USERNAME: 'admin', PORTCULLIS_ADMIN_PASSWORD: 'change-me-now-please' });
    // A folder of its own: the session example writes cookies.txt where it runs.
    run = await runStory(blocks, gw, { cwd: tempDir() });
  });
  after(async () => {
    await gw?.stop();
  });

  it('marks the examples, and every id they use comes from an earlier step', () => {
    expect(blocks.length, 'story blocks').to.be.at.least(8);
    const all = blocks.map((b) => b.commands).join('\n');
    for (const route of ['/admin/api/v1/session', '/admin/api/v1/apps', '/apps/$APP_ID/secret', '/apps/$APP_ID/deactivate', '/users/$ERIN_ID', 'audit?user=$ERIN_ID', 'audit --app "$APP_ID"']) {
      expect(all).to.contain(route);
    }
    expect(all, 'a client id written into a command').to.not.match(/pcc_[A-Za-z0-9]/);
    expect(all, 'a user id written into a command').to.not.match(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(all).to.not.match(/\bjq\b/);
  });

  it('runs in one shell without failing', () => {
    expect(run.code, `stderr:\n${run.stderr}\noutput:\n${run.outputs.join('\n---\n')}`).to.equal(0);
    expect(run.outputs).to.have.length(blocks.length);
  });

  it('did what the guide says: the app deactivated and back, erin disabled, the audit log naming the bot', () => {
    const all = run.outputs.join('\n');
    const answers = all.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    const app = answers.filter((a) => a.name === 'Acme Portal (staging)');
    expect(app.map((a) => a.status)).to.deep.equal(['active', 'active', 'active', 'disabled', 'active']);
    expect(app[1].redirect_uris).to.deep.equal(['https://staging.acme.example/callback', 'https://staging.acme.example/silent']);
    expect(app[2].client_secret, 'a new secret').to.match(/^pcs_/).and.not.equal(app[0].client_secret);
    const erin = answers.filter((a) => a.username === 'erin');
    expect(erin.map((u) => u.status)).to.deep.equal(['active', 'disabled']);
    expect(all).to.match(/^\S+ +Provisioning bot +app\.reactivate +app Acme Portal \(staging\) +127\.0\.0\.1$/m);
  });

  it('prints what the guide shows after each block', () => {
    blocks.forEach((block, i) => {
      if (block.expected === undefined) return;
      const actual = normalise(run.outputs[i] ?? '');
      for (const line of normalise(block.expected)) {
        expect(actual, `admin guide block ${i + 1} (${block.commands.split('\n')[0]}) should print:\n${line}\nbut printed:\n${actual.join('\n')}`).to.include(line);
      }
    });
  });
});

// The shipped Prometheus and Alertmanager files, checked by Debian's promtool and amtool: the alerting
// rules' own unit tests pass, and they would fail if a rule lost what it promises.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProgram } from '../test-support/monitoring.ts';

const DEPLOY = path.join(import.meta.dirname, '../../deploy');
const RULES = path.join(DEPLOY, 'prometheus/qmp-console.rules.yml');
const RULE_TESTS = path.join(DEPLOY, 'prometheus/qmp-console.rules.test.yml');

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'qmp-console-rules-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('deploy/prometheus', () => {
  it('passes its promtool rule unit tests', async () => {
    const run = await runProgram('promtool', ['test', 'rules', RULE_TESTS]);
    expect(run.stdout + run.stderr).toContain('SUCCESS');
    expect(run.code).toBe(0);
  });

  it('has rule tests that catch a rule losing its promise (a 30 s window instead of 5 minutes)', async () => {
    const rules = await readFile(RULES, 'utf8');
    const broken = rules.replace(
      'qmp_block_io_error_last_timestamp_seconds) < 300',
      'qmp_block_io_error_last_timestamp_seconds) < 30',
    );
    expect(broken).not.toBe(rules);
    await writeFile(path.join(scratch, 'qmp-console.rules.yml'), broken);
    await writeFile(path.join(scratch, 'qmp-console.rules.test.yml'), await readFile(RULE_TESTS, 'utf8'));
    const run = await runProgram(
      'promtool',
      ['test', 'rules', 'qmp-console.rules.test.yml'],
      undefined,
      scratch,
    );
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/QmpBlockIoError/);
  });

  it('ships a scrape configuration promtool accepts (given the token file it names)', async () => {
    const config = (await readFile(path.join(DEPLOY, 'prometheus/prometheus.yml'), 'utf8')).replaceAll(
      '/etc/prometheus/qmp-console.token',
      path.join(scratch, 'token'),
    );
    await writeFile(path.join(scratch, 'token'), 'a-metrics-token-0123456789\n');
    await writeFile(path.join(scratch, 'prometheus.yml'), config);
    await writeFile(path.join(scratch, 'qmp-console.rules.yml'), await readFile(RULES, 'utf8'));
    const run = await runProgram('promtool', ['check', 'config', path.join(scratch, 'prometheus.yml')]);
    expect(run.stdout + run.stderr).toContain('SUCCESS: 8 rules found');
    expect(run.code).toBe(0);
  });
});

describe('README', () => {
  it("gives a scrape config promtool accepts in its 'three lines'", async () => {
    const readme = await readFile(path.join(DEPLOY, '../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Monitoring with Prometheus'));
    const lines = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    expect(lines.trimEnd().split('\n')).toHaveLength(3);
    const config = `scrape_configs:\n${lines.replace('/etc/prometheus/qmp-console.token', path.join(scratch, 'token'))}`;
    await writeFile(path.join(scratch, 'token'), 'a-metrics-token-0123456789\n');
    await writeFile(path.join(scratch, 'readme.yml'), config);
    const run = await runProgram('promtool', ['check', 'config', path.join(scratch, 'readme.yml')]);
    expect(run.stdout + run.stderr).toContain('SUCCESS');
    expect(run.code).toBe(0);
  });
});

describe('deploy/alertmanager', () => {
  it('ships a routing example amtool accepts, with a webhook receiver', async () => {
    const file = path.join(DEPLOY, 'alertmanager/alertmanager.yml');
    const run = await runProgram('amtool', ['check-config', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('1 receivers');
    expect(await readFile(file, 'utf8')).toMatch(/webhook_configs:\s+- url: /);
  });
});

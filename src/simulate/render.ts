/** Prints a simulation: a few lines per pass and process, or JSON (schemaVersion 1). */
import type { ActionOutcome } from '../decide/actions.js';
import { observationJson, outcomeJson } from '../pass/pass-json.js';
import type { SimulatedPass } from './simulate.js';
import { describeCondition, type WorldSpec } from './world.js';

/** 'start on Host_B: started on Host_B', 'hook onFailed: ok'. */
function describeOutcome(outcome: ActionOutcome): string {
  const { action } = outcome;
  const what =
    action.type === 'hook'
      ? `run ${action.hook} hooks`
      : action.type === 'switchover'
        ? `switch over from ${action.fromHosts.join(', ')} to ${action.host}`
        : `${action.type} on ${action.host}`;
  return `${what}: ${outcome.ok ? 'ok' : 'fails'} (${outcome.reason})`;
}

/** The world in one line: 'Host_A unreachable; Host_B down (start fails); others down'. */
export function describeWorld(world: WorldSpec, fromState: boolean): string {
  const named = Object.entries(world.hosts).map(([host, c]) => `${host} ${describeCondition(c)}`);
  const failing = [
    ...world.startFails.map((host) => `start fails on ${host}`),
    ...world.fenceFails.map((host) => `fence of ${host} fails`),
    ...world.hookFails.map((hook) => `${hook} fails`),
  ];
  const rest = fromState ? 'other hosts as last stored' : 'other hosts down (reachable, not running)';
  return [...named, ...failing, rest].join('; ');
}

/** The human output. */
export function renderSimulationText(passes: SimulatedPass[], world: WorldSpec, fromState: boolean): string {
  const lines = [`simulated world: ${describeWorld(world, fromState)}`, 'nothing below was run'];
  const start = passes[0]?.at ?? 0;
  for (const pass of passes) {
    lines.push(`pass ${pass.pass} (+${Math.round((pass.at - start) / 1000)} s)`);
    for (const process of pass.processes) {
      lines.push(`  ${process.summary}`);
      for (const outcome of process.outcomes) lines.push(`    would ${describeOutcome(outcome)}`);
      for (const command of process.commands) {
        const what = command.role === 'local' ? 'here' : `${command.role} on ${command.host}`;
        lines.push(`      ${what}: ${command.command}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The JSON output. */
export function renderSimulationJson(
  configFile: string,
  passes: SimulatedPass[],
  world: WorldSpec,
  fromState: boolean,
): string {
  const body = {
    schemaVersion: 1,
    config: configFile,
    fromState,
    world: {
      hosts: world.hosts,
      startFails: world.startFails,
      fenceFails: world.fenceFails,
      hookFails: world.hookFails,
    },
    passes: passes.map((pass) => ({
      pass: pass.pass,
      at: new Date(pass.at).toISOString(),
      processes: pass.processes.map((p) => ({
        name: p.name,
        status: p.status,
        activeHost: p.activeHost,
        summary: p.summary,
        observations: p.observations.map(observationJson),
        actions: p.outcomes.map((o) => ({
          ...outcomeJson(o),
          ...(o.action.type === 'switchover' ? { fromHosts: o.action.fromHosts } : {}),
          hookSteps: (o.hookSteps ?? []).map((s) => ({ hook: s.hook, command: s.command })),
        })),
        commands: p.commands.map(({ host, role, command }) => ({ host, role, command })),
      })),
    })),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

// QEMU's jobs (block jobs run through the generic job layer): the two queries that describe them, which
// actions each status allows, what those actions do, and which events make the job queries stale.
export type { JobInfo, JobStatus } from '../../../protocol/qmp.ts';

import type { JobStatus } from '../../../protocol/qmp.ts';

/** `query-block-jobs`: one BlockJobInfo (`device` is the job id, or the disk of a job without one). */
export interface BlockJobInfo {
  type: string;
  device: string;
  len: number;
  offset: number;
  busy: boolean;
  paused: boolean;
  /** The rate limit in bytes per second; 0 = unlimited. */
  speed: number;
  'io-status': 'ok' | 'failed' | 'nospace';
  ready: boolean;
  status: JobStatus;
  'auto-finalize': boolean;
  'auto-dismiss': boolean;
  error?: string;
}

export type JobAction = 'pause' | 'resume' | 'cancel' | 'complete' | 'finalize' | 'dismiss';

export interface JobActionFacts {
  label: string;
  /** The generic job command (it takes `{id}` and works on block jobs too). */
  command: string;
  /** QEMU's job verb table: the statuses in which QEMU accepts the verb. */
  allowedIn: readonly JobStatus[];
  /** Asked before running, naming VM and job; absent for what the next button undoes. */
  consequence?: string;
}

// From QEMU's JobVerbTable (job.c). Pause and resume are also accepted in other statuses, but only
// these make a difference to the person looking.
export const JOB_ACTIONS: Readonly<Record<JobAction, JobActionFacts>> = {
  pause: { label: 'Pause', command: 'job-pause', allowedIn: ['created', 'running', 'ready'] },
  resume: { label: 'Resume', command: 'job-resume', allowedIn: ['paused', 'standby'] },
  complete: {
    label: 'Complete',
    command: 'job-complete',
    allowedIn: ['ready'],
    consequence:
      'The mirror finishes: QEMU switches the disk over to the target image, and the VM writes there from now on.',
  },
  finalize: {
    label: 'Finalize',
    command: 'job-finalize',
    allowedIn: ['pending'],
    consequence: "QEMU commits the job's changes to the block graph; this cannot be undone.",
  },
  cancel: {
    label: 'Cancel',
    command: 'job-cancel',
    allowedIn: ['created', 'running', 'paused', 'ready', 'standby', 'waiting', 'pending'],
    consequence:
      'The job stops at once and its work so far is abandoned; a backup or mirror target is left incomplete.',
  },
  dismiss: {
    label: 'Dismiss',
    command: 'job-dismiss',
    allowedIn: ['concluded'],
    consequence: 'QEMU forgets the finished job, with its final status and any error.',
  },
};

export const JOB_ACTION_ORDER: readonly JobAction[] = [
  'pause',
  'resume',
  'complete',
  'finalize',
  'cancel',
  'dismiss',
];

/** The actions a job in `status` offers, in button order. */
export function jobActionsFor(status: JobStatus): JobAction[] {
  return JOB_ACTION_ORDER.filter((a) => JOB_ACTIONS[a].allowedIn.includes(status));
}

/** The confirmation's title and button: both name the VM and the job. */
export function jobConfirmation(vm: string, jobId: string, action: JobAction) {
  const facts = JOB_ACTIONS[action];
  return {
    title: `${facts.label} job ${jobId} on ${vm}?`,
    confirmLabel: `${facts.label} ${jobId}`,
    consequence: facts.consequence ?? '',
    command: `${facts.command} id=${jobId}`,
  };
}

/** The job is doing work, so its progress moves and is worth polling. */
export function jobIsActive(status: JobStatus): boolean {
  return status === 'created' || status === 'running' || status === 'ready' || status === 'waiting';
}

/** The job still exists in QEMU and needs someone (or time): shown on the VM page's strip. */
export function jobIsLive(status: JobStatus): boolean {
  return status !== 'null' && status !== 'undefined';
}

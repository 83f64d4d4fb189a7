// The words around a screen picture: its text alternative and what a VM without a picture says.
import type { ScreenProblem } from '../../../protocol/guest.ts';

export function screenAlt(vm: string, takenAt: string, formatTime: (iso: string) => string): string {
  return `Screen of ${vm} at ${formatTime(takenAt)}`;
}

export function noScreenText(problem: ScreenProblem): string {
  switch (problem.code) {
    case 'no-display':
      return `No display: ${problem.error}.`;
    case 'not-connected':
      return 'No picture: the console is not connected to this VM.';
    default:
      return `No picture: ${problem.error}.`;
  }
}

// Assembles the console's view into its guests: screen, serial logs, I/O sampling, NICs, panic screenshots.
import path from 'node:path';
import { ConsoleCommandError } from '../hub/console-command.ts';
import type { Hub } from '../hub/hub.ts';
import type { Journal } from '../journal/journal.ts';
import { BlockSampler, type BlockSamplerOptions } from './block-sampler.ts';
import { NicBook } from './nics.ts';
import { PanicCapture } from './panic-capture.ts';
import { type ExecuteOn, ScreenCapture } from './screen-capture.ts';
import { SerialLog } from './serial-log.ts';

export interface GuestOptions {
  hub: Hub;
  journal: Journal;
  dataDir: string;
  sampler?: BlockSamplerOptions;
}

export interface Guest {
  screens: ScreenCapture;
  serial: SerialLog;
  nics: NicBook;
  sampler: BlockSampler;
  panics: PanicCapture;
  stop(): void;
}

export function startGuest(options: GuestOptions): Guest {
  const { hub } = options;
  const execute: ExecuteOn = (vm, command, args, opts) => {
    const target = hub.get(vm);
    if (!target)
      return Promise.reject(new ConsoleCommandError(command, 'not-connected', `unknown VM "${vm}"`));
    return target.execute(command, args as never, opts);
  };
  const screens = new ScreenCapture(execute);
  const serial = new SerialLog(execute);
  const sampler = new BlockSampler(execute, options.sampler);
  const nics = new NicBook(execute);
  const panics = new PanicCapture({
    dir: path.join(options.dataDir, 'screenshots'),
    dump: (vm) => screens.dump(vm),
  });
  const unsubscribe = options.journal.subscribe(panics);
  const offStatus = hub.all().map((vm) =>
    vm.onStatus((v, status) => {
      if (status.state === 'connected') {
        nics.forget(v.name);
        screens.forget(v.name);
        sampler.start(v.name);
      } else {
        sampler.stop(v.name);
      }
    }),
  );
  return {
    screens,
    serial,
    nics,
    sampler,
    panics,
    stop() {
      for (const off of offStatus) off();
      unsubscribe();
      sampler.stopAll();
      screens.close();
    },
  };
}

// `/vms/NAME/composer?cmd=LINE`: another page hands the composer a qmp-shell line to check, edit and
// send (the migration page's `migrate uri=...`). Read once, then dropped from the address, so a reload
// or Back does not overwrite what the person typed since.
import { useEffect } from 'react';
import { useLocation, useSearch } from 'wouter';
import { draftChanged, modeChosen } from './composer-store.ts';

export function usePrefilledCommand(vm: string): void {
  const search = useSearch();
  const [location, navigate] = useLocation();
  useEffect(() => {
    const line = new URLSearchParams(search).get('cmd');
    if (line === null) return;
    modeChosen(vm, 'qmp-shell');
    draftChanged(vm, line);
    navigate(location, { replace: true });
  }, [vm, search, location, navigate]);
}

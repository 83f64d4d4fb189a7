// Unit tests of the web app run many files at once on a 2-core machine: a lazily loaded page can take
// longer than Testing Library's default second to appear. Waiting longer changes no assertion.
import { configure } from '@testing-library/react';

configure({ asyncUtilTimeout: 4000 });

// The header's "Audit" link, for operators only: a viewer's header offers no page the console refuses it.
import { useQuery } from '@tanstack/react-query';
import { Link, useRoute } from 'wouter';
import { sessionQueryOptions } from '../api/session.ts';
import { auditPath, ROUTE_PATTERNS } from '../qemu/routes.ts';

export function AuditLink() {
  const session = useQuery(sessionQueryOptions);
  const [active] = useRoute(ROUTE_PATTERNS.audit);
  // null: a console without roles, where everybody is an operator.
  if (!session.isSuccess || (session.data !== null && session.data.role !== 'operator')) return null;
  return (
    <Link href={auditPath()} className="header-link" aria-current={active ? 'page' : undefined}>
      Audit
    </Link>
  );
}

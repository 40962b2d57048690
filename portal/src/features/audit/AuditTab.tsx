import { segment } from '../../api/client';
import { useProjectName } from '../projects/queries';
import { AuditTable } from './AuditTable';

export function AuditTab() {
  const project = useProjectName();

  return <AuditTable path={`/projects/${segment(project)}/audit`} showProject={false} />;
}

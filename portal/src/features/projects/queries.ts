import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { get, segment } from '../../api/client';
import type { ProjectDetail, Quota } from '../../api/types';

export function useProjectName(): string {
  return useParams().project ?? '';
}

export function useProject(name: string) {
  return useQuery({
    queryKey: ['project', name],
    queryFn: () => get<ProjectDetail>(`/projects/${segment(name)}`),
  });
}

export function useQuota(name: string) {
  return useQuery({
    queryKey: ['project', name, 'quota'],
    queryFn: () => get<Quota>(`/projects/${segment(name)}/quota`),
  });
}

/** A project's members or robots, and how to load them again after a change. */
export function useProjectList<T>(project: string, list: 'members' | 'robots') {
  const queryClient = useQueryClient();
  const queryKey = ['project', project, list];
  const query = useQuery({
    queryKey,
    queryFn: () => get<T[]>(`/projects/${segment(project)}/${list}`),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey });

  return { query, refresh };
}

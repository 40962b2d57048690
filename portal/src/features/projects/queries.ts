import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { get, segment } from '../../api/client';
import type { Project, Quota } from '../../api/types';

export function useProjectName(): string {
  return useParams().project ?? '';
}

export function useProject(name: string) {
  return useQuery({
    queryKey: ['project', name],
    queryFn: () => get<Project>(`/projects/${segment(name)}`),
  });
}

export function useQuota(name: string) {
  return useQuery({
    queryKey: ['project', name, 'quota'],
    queryFn: () => get<Quota>(`/projects/${segment(name)}/quota`),
  });
}

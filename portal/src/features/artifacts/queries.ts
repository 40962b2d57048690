import { useQueryClient } from '@tanstack/react-query';

/** After a delete, everything shown about the repository and its project may have changed. */
export function useRepositoryRefresh(repository: string) {
  const queryClient = useQueryClient();
  const project = repository.split('/')[0] ?? repository;

  return async () => {
    await queryClient.invalidateQueries({ queryKey: ['repository', repository] });
    await queryClient.invalidateQueries({ queryKey: ['project', project] });
  };
}

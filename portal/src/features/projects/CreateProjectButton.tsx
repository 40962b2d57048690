import { Switch, TextInput } from '@mantine/core';
import { useInputState } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { post } from '../../api/client';
import type { Project } from '../../api/types';
import { FormDialog } from '../../components/FormDialog';
import { LabelsEditor, labelsOf, type LabelRows } from './LabelsEditor';

export function CreateProjectButton() {
  const [name, setName] = useInputState('');
  const [isPublic, setPublic] = useInputState(false);
  const [labels, setLabels] = useState<LabelRows>([]);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: () =>
      post<Project>('/projects', { name, public: isPublic, labels: labelsOf(labels) }),
    onSuccess: async (project) => {
      await queryClient.invalidateQueries({ queryKey: ['projects'] });
      navigate(`/projects/${project.name}`);
    },
  });

  return (
    <FormDialog title="New project" submission={create}>
      <TextInput
        label="Name"
        description="Lowercase letters and digits, separated by . _ or -"
        value={name}
        onChange={setName}
        required
        data-autofocus
      />
      <Switch label="Public: anyone may pull" checked={isPublic} onChange={setPublic} />
      <LabelsEditor rows={labels} onChange={setLabels} />
    </FormDialog>
  );
}

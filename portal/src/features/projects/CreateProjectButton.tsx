import { Button, Group, Modal, Stack, Switch, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { post } from '../../api/client';
import type { Project } from '../../api/types';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LabelsEditor, labelsOf, type LabelRows } from './LabelsEditor';

export function CreateProjectButton() {
  const [opened, { open, close }] = useDisclosure(false);
  const [name, setName] = useState('');
  const [isPublic, setPublic] = useState(false);
  const [labels, setLabels] = useState<LabelRows>([]);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: () =>
      post<Project>('/projects', { name, public: isPublic, labels: labelsOf(labels) }),
    onSuccess: async (project) => {
      await queryClient.invalidateQueries({ queryKey: ['projects'] });
      close();
      navigate(`/projects/${project.name}`);
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };

  return (
    <>
      <Button onClick={open}>New project</Button>
      <Modal opened={opened} onClose={close} title="New project" centered>
        <form onSubmit={submit}>
          <Stack>
            <ErrorNotice error={create.error} />
            <TextInput
              label="Name"
              description="Lowercase letters and digits, separated by . _ or -"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              required
              data-autofocus
            />
            <Switch
              label="Public: anyone may pull"
              checked={isPublic}
              onChange={(e) => setPublic(e.currentTarget.checked)}
            />
            <LabelsEditor rows={labels} onChange={setLabels} />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={create.isPending}>
                Create
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

import { Button, Group, Modal, Stack } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { UseMutationResult } from '@tanstack/react-query';
import type { FormEvent, ReactNode } from 'react';
import { ErrorNotice } from './ErrorNotice';

interface FormDialogProps<T> {
  /** The button's text and the dialog's title: "New project". */
  title: string;
  /** What submitting the form does: its error is shown and its progress spins Create. */
  submission: Pick<UseMutationResult<T, Error, void>, 'mutate' | 'error' | 'isPending' | 'data'>;
  /** The form's fields. */
  children: ReactNode;
  /** False keeps Create disabled while a required choice is missing. */
  ready?: boolean;
  /**
   * What the submission returned, shown in place of the form until Done (a robot's secret).
   * Without it the dialog closes as soon as the submission succeeds.
   */
  result?: (data: T) => ReactNode;
  /** Called whenever the dialog closes, to start the next one afresh. */
  onClose?: () => void;
}

/** A button that opens a form in a dialog: what went wrong, the fields, Cancel and Create. */
export function FormDialog<T>(props: FormDialogProps<T>) {
  const { title, submission, result } = props;
  const [opened, { open, close }] = useDisclosure(false);
  const finish = () => {
    props.onClose?.();
    close();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    submission.mutate(undefined, { onSuccess: result ? undefined : close });
  };
  const shown = result && submission.data !== undefined ? result(submission.data) : null;

  return (
    <>
      <Button onClick={open}>{title}</Button>
      <Modal opened={opened} onClose={finish} title={title} centered>
        {shown ? (
          <Stack>
            {shown}
            <Group justify="flex-end">
              <Button onClick={finish}>Done</Button>
            </Group>
          </Stack>
        ) : (
          <form onSubmit={submit}>
            <Stack>
              <ErrorNotice error={submission.error} />
              {props.children}
              <Group justify="flex-end">
                <Button variant="default" onClick={finish}>
                  Cancel
                </Button>
                <Button
                  type="submit"
                  loading={submission.isPending}
                  disabled={props.ready === false}
                >
                  Create
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>
    </>
  );
}

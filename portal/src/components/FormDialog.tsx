import { Button, Group, Modal, Stack, type ButtonProps, type ModalProps } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { UseMutationResult } from '@tanstack/react-query';
import type { FormEvent, ReactNode } from 'react';
import { ErrorNotice } from './ErrorNotice';

interface FormDialogProps<T> {
  /** The button's accessible name and the dialog's title: "New project". */
  title: string;
  /** A shorter text on the button itself, where the row already says what it is about. */
  text?: string;
  /** How the opening button looks, when not as the page's main action. */
  button?: Pick<ButtonProps, 'size' | 'variant'>;
  /** The dialog's width, for forms wider than a few fields. */
  size?: ModalProps['size'];
  /** What submitting the form does: its error is shown and its progress spins the submit button. */
  submission: Pick<UseMutationResult<T, Error, void>, 'mutate' | 'error' | 'isPending' | 'data'>;
  /** The submit button's text: "Create" unless told. */
  submitText?: string;
  /** The form's fields, or a sentence on what submitting will do. */
  children: ReactNode;
  /** False keeps the submit button disabled while a required choice is missing. */
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
      <Button {...props.button} onClick={open} aria-label={props.text ? title : undefined}>
        {props.text ?? title}
      </Button>
      <Modal opened={opened} onClose={finish} title={title} size={props.size} centered>
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
                  {props.submitText ?? 'Create'}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>
    </>
  );
}

import { Button, Group, Modal, Stack, Text, TextInput, type ButtonProps } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useState, type ReactNode } from 'react';

interface ConfirmButtonProps extends ButtonProps {
  /** The button's accessible name and the confirmation's title: "Delete tag v2". */
  label: string;
  /** A shorter text on the button itself, where the row already says what it is about. */
  text?: string;
  /** What will happen, in a sentence or two. */
  message: ReactNode;
  /** When set, the user must type this to confirm (for deleting whole repositories or projects). */
  typeToConfirm?: string;
  onConfirm: () => Promise<unknown>;
}

/** A destructive action behind a confirmation dialog. */
export function ConfirmButton({
  label,
  text,
  message,
  typeToConfirm,
  onConfirm,
  ...button
}: ConfirmButtonProps) {
  const [opened, { open, close }] = useDisclosure(false);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ready = typeToConfirm === undefined || typed === typeToConfirm;

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      close();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button color="red" variant="light" {...button} onClick={open} aria-label={label}>
        {text ?? label}
      </Button>
      <Modal opened={opened} onClose={close} title={label} centered>
        <Stack>
          <Text size="sm">{message}</Text>
          {typeToConfirm !== undefined && (
            <TextInput
              label={`Type ${typeToConfirm} to confirm`}
              value={typed}
              onChange={(e) => setTyped(e.currentTarget.value)}
              data-autofocus
            />
          )}
          {error && (
            <Text c="red" size="sm" role="alert">
              {error}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button color="red" onClick={confirm} loading={busy} disabled={!ready}>
              {label}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

import { Alert, Text } from '@mantine/core';
import { CopyText } from './CopyText';

/**
 * A credential Berth shows this once (it keeps only a hash of the secret), each value with a
 * button that copies it.
 */
export function ShownOnce({ values }: { values: { label: string; value: string }[] }) {
  return (
    <>
      <Alert color="orange" title="Copy the secret now">
        Berth keeps only a hash of it: this is the only time it is shown.
      </Alert>
      {values.map(({ label, value }) => (
        <div key={label}>
          <Text size="sm">{label}</Text>
          <CopyText value={value} label={`Copy the ${label.toLowerCase()}`} />
        </div>
      ))}
    </>
  );
}

import { NumberInput } from '@mantine/core';
import { ShownOnce } from '../../components/ShownOnce';

/** How long a new robot lives, in days; 0 for ever. Berth's own default is 30 days. */
export function ExpiryInput(props: {
  value: number | string;
  onChange: (days: number | string) => void;
}) {
  return (
    <NumberInput
      label="Expires after (days, 0 for never)"
      min={0}
      value={props.value}
      onChange={props.onChange}
    />
  );
}

/** The `expiresAt` of a robot that lives `days` from now; null for never. */
export function expiresAt(days: number | string): string | null {
  const count = Number(days);
  return count > 0 ? new Date(Date.now() + count * 86_400_000).toISOString() : null;
}

/** A robot's login name and secret, which Berth shows when it is made or its secret replaced. */
export function RobotSecret({ name, secret }: { name: string; secret: string }) {
  return (
    <ShownOnce
      values={[
        { label: 'Login name', value: name },
        { label: 'Secret', value: secret },
      ]}
    />
  );
}

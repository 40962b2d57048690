import { TextInput } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';

export function SearchBox(props: {
  value: string;
  onChange: (value: string) => void;
  label: string;
}) {
  return (
    <TextInput
      aria-label={props.label}
      placeholder={props.label}
      leftSection={<IconSearch size={16} />}
      value={props.value}
      onChange={(e) => props.onChange(e.currentTarget.value)}
      maw={360}
      type="search"
    />
  );
}

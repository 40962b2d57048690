import {
  ActionIcon,
  AppShell,
  Burger,
  Group,
  Menu,
  NavLink,
  Text,
  Tooltip,
  UnstyledButton,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import {
  IconBox,
  IconChevronDown,
  IconListDetails,
  IconLogout,
  IconMoon,
  IconRobot,
  IconSettings,
  IconSun,
  IconUserCircle,
  IconUsers,
} from '@tabler/icons-react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { currentSession, signOut } from '../api/session';
import { useWhoami } from './whoami';

interface NavItem {
  to: string;
  label: string;
  icon: typeof IconBox;
  admin?: boolean;
  /** Further paths under this item: repositories and artifacts belong to their project. */
  also?: string[];
}

/** The navigation; system pages are listed for administrators only. */
const navigation: NavItem[] = [
  { to: '/projects', label: 'Projects', icon: IconBox, also: ['/repositories'] },
  { to: '/audit', label: 'Audit log', icon: IconListDetails, admin: true },
  { to: '/system/users', label: 'Users', icon: IconUsers, admin: true },
  { to: '/system/robots', label: 'Robot accounts', icon: IconRobot, admin: true },
  { to: '/system/settings', label: 'Settings', icon: IconSettings, admin: true },
];

export function Layout() {
  const [opened, { toggle }] = useDisclosure();
  const location = useLocation();
  const whoami = useWhoami();
  const admin = whoami.data?.admin ?? false;

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="sm">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <UnstyledButton component={Link} to="/projects" aria-label="Berth home">
              <Text fw={700} size="lg">
                Berth
              </Text>
            </UnstyledButton>
          </Group>
          <Group gap="xs">
            <ColorSchemeToggle />
            <AccountMenu name={whoami.data?.name ?? currentSession()?.username ?? ''} />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        {navigation
          .filter((item) => !item.admin || admin)
          .map((item) => (
            <NavLink
              key={item.to}
              component={Link}
              to={item.to}
              label={item.label}
              leftSection={<item.icon size={18} />}
              active={[item.to, ...(item.also ?? [])].some((p) => location.pathname.startsWith(p))}
              variant="filled"
            />
          ))}
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}

function ColorSchemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');
  const next = scheme === 'dark' ? 'light' : 'dark';

  return (
    <Tooltip label={`Switch to ${next} mode`}>
      <ActionIcon
        variant="default"
        size="lg"
        onClick={() => setColorScheme(next)}
        aria-label={`Switch to ${next} mode`}
      >
        {scheme === 'dark' ? <IconSun size={18} /> : <IconMoon size={18} />}
      </ActionIcon>
    </Tooltip>
  );
}

function AccountMenu({ name }: { name: string }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const logout = () => {
    signOut();
    queryClient.clear();
    navigate('/login', { replace: true });
  };

  return (
    <Menu position="bottom-end">
      <Menu.Target>
        <UnstyledButton aria-label={`Account ${name}`}>
          <Group gap={4}>
            <Text size="sm">{name}</Text>
            <IconChevronDown size={14} />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item component={Link} to="/account" leftSection={<IconUserCircle size={16} />}>
          Your account
        </Menu.Item>
        <Menu.Item leftSection={<IconLogout size={16} />} onClick={logout}>
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

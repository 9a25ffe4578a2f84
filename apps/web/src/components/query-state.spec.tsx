import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { AppProviders } from '../app/providers';
import { testQueryClient } from '../../test/render-app';
import { QueryState, type QueryLike } from './query-state';

function renderInApp(ui: ReactNode) {
  return render(
    <AppProviders queryClient={testQueryClient()} env="test">
      {ui}
    </AppProviders>,
  );
}

function query<T>(state: Partial<QueryLike<T>>): QueryLike<T> {
  return { isPending: false, isError: false, error: null, data: undefined, refetch: jest.fn(), ...state };
}

function Names({ state }: { state: QueryLike<string[]> }) {
  return (
    <QueryState
      query={state}
      errorTitle="The names could not be loaded."
      isEmpty={(names) => names.length === 0}
      empty="No names yet."
    >
      {(names) => (
        <ul aria-label="Names">
          {names.map((name) => (
            <li key={name}>{name}</li>
          ))}
        </ul>
      )}
    </QueryState>
  );
}

describe('<QueryState>', () => {
  it('shows skeleton rows while loading, busy and saying so', () => {
    const { container } = renderInApp(<Names state={query({ isPending: true })} />);
    expect(screen.getByText('Loading…')).toBeInTheDocument();
    const busy = container.querySelector('[aria-busy="true"]');
    expect(busy).not.toBeNull();
    expect(busy?.querySelectorAll('.mantine-Skeleton-root')).toHaveLength(3);
    expect(screen.queryByRole('list', { name: 'Names' })).not.toBeInTheDocument();
  });

  it('draws as many rows as asked, or what the page gives instead', () => {
    const { container, unmount } = renderInApp(
      <QueryState query={query<string>({ isPending: true })} rows={2} rowHeight={80}>
        {(data) => data}
      </QueryState>,
    );
    expect(container.querySelectorAll('.mantine-Skeleton-root')).toHaveLength(2);
    unmount();

    renderInApp(
      <QueryState query={query<string>({ isPending: true })} loading={<p>Drawing the cards…</p>}>
        {(data) => data}
      </QueryState>,
    );
    expect(screen.getByText('Drawing the cards…')).toBeInTheDocument();
    expect(screen.queryByText('Loading…')).not.toBeInTheDocument();
  });

  it('shows the error with its title and message, and no data', () => {
    renderInApp(
      <Names
        state={query({ isError: true, error: new Error('The database is unreachable'), data: ['kept'] })}
      />,
    );
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('The names could not be loaded.');
    expect(alert).toHaveTextContent('The database is unreachable');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeInTheDocument();
    expect(screen.queryByText('kept')).not.toBeInTheDocument();
  });

  it('says the error in the words the page chooses', () => {
    renderInApp(
      <QueryState
        query={query<string>({ isError: true, error: new Error('timeout') })}
        errorMessage={(error) => `Could not load: ${error.message}`}
      >
        {(data) => data}
      </QueryState>,
    );
    expect(screen.getByRole('alert')).toHaveTextContent('Could not load: timeout');
  });

  it('shows the empty line, with its action, when there is nothing', () => {
    renderInApp(
      <QueryState
        query={query({ data: [] as string[] })}
        isEmpty={(names) => names.length === 0}
        empty="Nothing matches these filters."
        emptyAction={<button type="button">Clear the filters</button>}
      >
        {() => <p>the list</p>}
      </QueryState>,
    );
    expect(screen.getByText('Nothing matches these filters.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Clear the filters' })).toBeInTheDocument();
    expect(screen.queryByText('the list')).not.toBeInTheDocument();
  });

  it('hands the loaded data to its children', () => {
    renderInApp(<Names state={query({ data: ['alpha', 'beta'] })} />);
    const list = screen.getByRole('list', { name: 'Names' });
    expect(
      within(list)
        .getAllByRole('listitem')
        .map((item) => item.textContent),
    ).toEqual(['alpha', 'beta']);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(screen.queryByText('No names yet.')).not.toBeInTheDocument();
  });

  it('fetches again when Retry is pressed, then shows what came', async () => {
    let calls = 0;
    const fetchNames = () => {
      calls += 1;
      return calls === 1
        ? Promise.reject(new Error('The database is unreachable'))
        : Promise.resolve(['gamma']);
    };
    function LiveNames() {
      // As the list pages do, with the previous page's data kept while the next loads.
      const names = useQuery({
        queryKey: ['names'],
        queryFn: fetchNames,
        retry: false,
        placeholderData: keepPreviousData,
      });
      return <Names state={names} />;
    }
    renderInApp(<LiveNames />);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The database is unreachable');
    await userEvent.setup().click(within(alert).getByRole('button', { name: 'Try again' }));

    expect(await screen.findByText('gamma')).toBeInTheDocument();
    await waitFor(() => {
      expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    });
    expect(calls).toBe(2);
  });
});

/** Pieces both operator areas' pages are made of: a status badge, a data table, a pager, a not-found page. */
import type { Child } from 'hono/jsx';
import { Layout } from './layout';

export function Badge({ value }: { value: string }) {
  return <span class={`badge ${value}`}>{value}</span>;
}

/** A table with a caption for screen readers, column headers, and a row saying so when there is nothing. */
/** The facts of one record (a ticket, a message), as a description list: each a label and its value. */
export function Facts({ items }: { items: [label: string, value: Child][] }) {
  return (
    <dl class="facts">
      {items.map(([label, value]) => (
        <>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </>
      ))}
    </dl>
  );
}

export function DataTable({ caption, columns, empty, rows }: { caption: string; columns: string[]; empty: string; rows: Child[] }) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((name) => (
              <th scope="col">{name}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length > 0 ? (
            rows
          ) : (
            <tr>
              <td colspan={columns.length} class="muted">
                {empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

/** Links to the newest page (when not on it) and to the next older one (when there is one). */
export function Pager({ newest, older, olderLabel }: { newest?: string; older?: string; olderLabel: string }) {
  return (
    <nav class="pager" aria-label="Pages">
      {newest ? <a href={newest}>Newest</a> : null}
      {older ? <a href={older}>{olderLabel}</a> : null}
    </nav>
  );
}

/** A page that says what went wrong with the person's request, and the way back (the one way pages answer an error). */
export function ErrorPage({ base, product, operator, title, detail }: { base: string; product: string; operator?: string; title: string; detail: string }) {
  return (
    <Layout base={base} product={product} title={title} operator={operator}>
      <h1>{title}</h1>
      <p class="notice error" role="alert">
        {detail}
      </p>
      <p>
        <a href={base}>Back</a>
      </p>
    </Layout>
  );
}

export function NotFoundPage({ base, product, operator, what, back }: { base: string; product: string; operator: string; what: string; back: string }) {
  return (
    <Layout base={base} product={product} title={`No such ${what}`} operator={operator}>
      <h1>No such {what}</h1>
      <p>
        <a href={base}>{back}</a>
      </p>
    </Layout>
  );
}

export interface FilterSelect {
  name: string;
  label: string;
  /** Value and label of each choice; an "All" choice comes first. */
  choices: [string, string][];
  selected?: string;
}

/** The filter bar of a list page: a GET form with selects and a "Domain or session" search. */
export function FilterForm({ action, selects, search }: { action: string; selects: FilterSelect[]; search?: string }) {
  return (
    <form class="filters" method="get" action={action} role="search">
      {selects.map((select) => (
        <label>
          {select.label}
          <select name={select.name}>
            <option value="">All</option>
            {select.choices.map(([value, label]) => (
              <option value={value} selected={select.selected === value}>
                {label}
              </option>
            ))}
          </select>
        </label>
      ))}
      <label>
        Domain or session
        <input name="q" type="search" value={search ?? ''} />
      </label>
      <button type="submit">Filter</button>
    </form>
  );
}

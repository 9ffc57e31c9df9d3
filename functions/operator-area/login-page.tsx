/** The sign-in page of an operator area, with what went wrong when something did. */
import { Layout } from './ui/layout';
import type { AreaOptions } from './area-types';

export function LoginPage({ options, error, name }: { options: AreaOptions; error?: string; name?: string }) {
  return (
    <Layout base={options.base} product={options.product} title="Sign in">
      <h1>Sign in to the {options.product}</h1>
      {error ? (
        <p class="notice error" role="alert">
          {error}
        </p>
      ) : null}
      <form class="stack" method="post" action={`${options.base}/login`}>
        <label>
          Username
          <input name="username" autocomplete="username" required value={name ?? ''} />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <button type="submit">Sign in</button>
      </form>
    </Layout>
  );
}

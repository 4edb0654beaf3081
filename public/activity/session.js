// Signing in, as the Activity Center and the invitation page share it: one token per tab, one form.

// Session storage: this tab only. One key, so whoever signed in on one page is on the other.
const TOKEN_KEY = 'activity.token';

export const savedToken = () => sessionStorage.getItem(TOKEN_KEY);
export const saveToken = (token) => sessionStorage.setItem(TOKEN_KEY, token);
export const forgetToken = () => sessionStorage.removeItem(TOKEN_KEY);

export const NOT_ACCEPTED = 'That token was not accepted. Check that it is whole and not expired.';
export const NO_LONGER_ACCEPTED = 'Your token is no longer accepted: sign in again.';

/** The page's #sign-in section and its form: hands a pasted token (without "Bearer ") to onToken. */
export function signInForm(onToken) {
  const section = document.getElementById('sign-in');
  const input = document.getElementById('token');
  const error = document.getElementById('sign-in-error');
  document.getElementById('sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = input.value.trim().replace(/^Bearer\s+/i, '');
    error.textContent = ''; // a message said again is announced again
    if (token) onToken(token);
  });
  return {
    show(message = '') {
      section.hidden = false;
      error.textContent = message;
      input.value = '';
      input.focus();
    },
    hide() {
      section.hidden = true;
      error.textContent = '';
    },
  };
}

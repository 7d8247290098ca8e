// Dossier's only script: CSRF for htmx requests, passkeys (WebAuthn), and dialogs. No inline script anywhere (CSP).
(function () {
  'use strict';

  function csrf() {
    var token = document.querySelector('meta[name="_csrf"]');
    var header = document.querySelector('meta[name="_csrf_header"]');
    return token && header ? { header: header.content, token: token.content } : null;
  }

  document.addEventListener('htmx:configRequest', function (event) {
    var c = csrf();
    if (c) {
      event.detail.headers[c.header] = c.token;
    }
  });

  function postJson(url, body) {
    var headers = { 'Content-Type': 'application/json', 'Accept': 'application/json' };
    var c = csrf();
    if (c) {
      headers[c.header] = c.token;
    }
    return fetch(url, { method: 'POST', headers: headers, body: JSON.stringify(body || {}), credentials: 'same-origin' })
      .then(function (response) {
        if (!response.ok) {
          throw new Error('HTTP ' + response.status);
        }
        return response.json().catch(function () { return {}; });
      });
  }

  function fail(error) {
    var message = document.getElementById('passkey-error');
    if (message) {
      message.hidden = false;
    }
    if (window.console) {
      console.warn('passkey', error);
    }
  }

  function signInWithPasskey() {
    postJson('/webauthn/authenticate/options')
      .then(function (options) {
        return navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
      })
      .then(function (credential) { return postJson('/login/webauthn', credential.toJSON()); })
      .then(function (state) {
        window.location.assign(state.status === 'SIGNED_IN' ? '/' : '/signin/second-factor?error');
      })
      .catch(fail);
  }

  function registerPasskey() {
    var label = (document.getElementById('passkey-label') || {}).value || 'Passkey';
    postJson('/webauthn/register/options')
      .then(function (options) {
        return navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) });
      })
      .then(function (credential) { return postJson('/webauthn/register', { publicKey: { label: label, credential: credential.toJSON() } }); })
      .then(function () { window.location.assign('/signin/second-factor'); })
      .catch(fail);
  }

  document.addEventListener('click', function (event) {
    var target = event.target.closest('[data-passkey-signin],[data-passkey-register],[data-open-dialog],[data-close-dialog]');
    if (!target) {
      return;
    }
    if (target.hasAttribute('data-passkey-signin')) {
      signInWithPasskey();
    } else if (target.hasAttribute('data-passkey-register')) {
      registerPasskey();
    } else if (target.hasAttribute('data-open-dialog')) {
      var dialog = document.getElementById(target.getAttribute('data-open-dialog'));
      if (dialog && dialog.showModal) {
        dialog.showModal();
        var first = dialog.querySelector('select, input, textarea');
        if (first) {
          first.focus();
        }
      }
    } else {
      target.closest('dialog').close();
    }
  });

  // A form marked data-confirm asks before it sends (discarding, cancelling, ending a session).
  document.addEventListener('submit', function (event) {
    var message = event.target.getAttribute('data-confirm');
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
})();

// Production sign-in: the Firebase JS SDK signs in with email and password, and the ID token
// is posted to the console, which verifies it as the API does and starts a session.
// The SDK keeps nothing in the browser: the console's own cookie is the session.
import { initializeApp } from "firebase/app";
import { inMemoryPersistence, initializeAuth, signInWithEmailAndPassword, signOut } from "firebase/auth";

const form = document.getElementById("firebase-sign-in");

async function signIn(auth, event) {
  event.preventDefault();
  const status = document.getElementById("sign-in-status");
  status.textContent = form.dataset.working;
  try {
    const credential = await signInWithEmailAndPassword(
      auth,
      form.elements.email.value,
      form.elements.password.value,
    );
    const idToken = await credential.user.getIdToken();
    await signOut(auth);
    const tokenForm = document.getElementById("token-sign-in");
    tokenForm.elements.id_token.value = idToken;
    tokenForm.submit();
  } catch {
    status.textContent = form.dataset.failed;
  }
}

if (form) {
  const app = initializeApp({
    apiKey: form.dataset.apiKey,
    authDomain: form.dataset.authDomain,
    projectId: form.dataset.projectId,
  });
  const auth = initializeAuth(app, { persistence: inMemoryPersistence });
  form.addEventListener("submit", (event) => signIn(auth, event));
}

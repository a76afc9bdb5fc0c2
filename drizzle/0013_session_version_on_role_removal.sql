-- A removed role ends the user's sessions at once, whoever removes it (the console, the CLI, SQL):
-- every session cookie carries the session version it was issued at (lib/auth/session-user.ts).
CREATE OR REPLACE FUNCTION users_bump_session_version_on_role_removal() RETURNS trigger AS $$
BEGIN
  UPDATE users SET session_version = session_version + 1 WHERE id = OLD.user_id;
  RETURN OLD;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER user_roles_removal_ends_sessions
  AFTER DELETE ON user_roles
  FOR EACH ROW EXECUTE FUNCTION users_bump_session_version_on_role_removal();

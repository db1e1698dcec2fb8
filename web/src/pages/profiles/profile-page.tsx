import { useRoute } from 'preact-iso';
import type { Profile } from '../../api/client.js';
import { useQuery } from '../../api/hooks.js';
import { Loaded } from '../../components/feedback.js';
import { PageHeader } from '../../components/ui.js';
import { useT } from '../../i18n/i18n.js';
import { messages } from './messages.js';
import {
  AccountsSection,
  ActivitySection,
  ComputedSection,
  IdentitiesSection,
  PersonalSection,
  ScoresSection,
  SegmentsSection,
  TraitsSection,
} from './profile-sections.js';
import { MergeHistory } from './merge-history.js';
import { Timeline } from './timeline.js';
import { When } from './values.js';
import './profiles.css';

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/** The name a person would use: first and last name from the PII vault, else the userId, else the profile id. */
function displayName(p: Profile): string {
  const first = text(p.personal.firstName ?? p.personal.first_name);
  const last = text(p.personal.lastName ?? p.personal.last_name);
  const name = `${first} ${last}`.trim() || text(p.personal.name);
  if (name) return name;
  return p.identities.find((i) => i.kind === 'user_id')?.value ?? p.id;
}

function ProfileView({ profile, reload }: { profile: Profile; reload: () => void }) {
  const t = useT(messages);
  return (
    <div>
      <PageHeader title={displayName(profile)} actions={<a href="/profiles">{t('backToSearch')}</a>} />
      <dl class="profile-meta">
        <div>
          <dt>{t('profileId')}</dt>
          <dd class="profile-id">{profile.id}</dd>
        </div>
        <div>
          <dt>{t('firstSeen')}</dt>
          <dd>
            <When iso={profile.firstSeen} />
          </dd>
        </div>
        <div>
          <dt>{t('lastSeen')}</dt>
          <dd>
            <When iso={profile.lastSeen} />
          </dd>
        </div>
      </dl>
      {profile.mergedFrom ? (
        <p class="notice merged-notice" role="status">
          {t('mergedNotice', { from: profile.mergedFrom })}
        </p>
      ) : null}
      <div class="grid grid-2">
        <TraitsSection profile={profile} />
        <PersonalSection profile={profile} />
      </div>
      <IdentitiesSection profile={profile} />
      <MergeHistory profile={profile} onChanged={reload} />
      <div class="grid grid-2">
        <ScoresSection profile={profile} />
        <ComputedSection profile={profile} />
      </div>
      <div class="grid grid-2">
        <SegmentsSection profile={profile} />
        <ActivitySection profile={profile} />
      </div>
      <AccountsSection profile={profile} />
      {/* Read again when the profile's events change (an unmerge takes some away). */}
      <Timeline key={`${profile.id}:${profile.events.total}`} profileId={profile.id} />
    </div>
  );
}

export default function ProfilePage() {
  const { params } = useRoute();
  const id = params.id ?? '';
  const t = useT(messages);
  const q = useQuery((api) => api.profile(id), [id]);
  if (q.data && !q.error) return <ProfileView profile={q.data} reload={q.reload} />;
  // Loading or failed: still one h1, so the page has a title and the error sits under it.
  return (
    <div>
      <PageHeader title={t('title')} actions={<a href="/profiles">{t('backToSearch')}</a>} />
      <Loaded q={q}>{() => null}</Loaded>
    </div>
  );
}

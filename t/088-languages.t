#!/usr/bin/perl

# Track languages from RTMP onMetaData "language" (FFmpeg: -metadata
# language=fra), end to end: a pass-through live event fed by a ladder
# of three video+audio streams (no language: "und") and two audio-only
# streams with language=eng and language=fra.
#
#   the HLS masters (m3u8-aapl, m3u8-cmaf) say LANGUAGE= on each audio
#   EXT-X-MEDIA, the MPD lang= on each audio AdaptationSet, the Smooth
#   manifest Language= on each audio StreamIndex; an account filter
#   [{Type Equal Audio, Language Equal fra}, {Type Equal Video}] keeps
#   the fra audio and the video in all three, a NotEqual filter drops
#   the fra audio; a segment of the eng audio is refused through the
#   filtered URL and served without it; hls.js and dash.js play the
#   filtered URLs with the one fra audio track; a recording of the event
#   keeps the languages.  A second event fed with an invalid tag ("not a
#   tag!"): a warning in the error log, and the track is "und".

use strict;
use warnings;

use Test::More;
use JSON::PP;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;
use Sluice::Players;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

Sluice::Playback::config($t);
$t->run();

my $token = '1a9e1a9e1a9e1a9e1a9e1a9e1a9e1a00';
my $btoken = '1a9eba0d1a9eba0d1a9eba0d1a9eba01';
my $rtmp = 'rtmp://127.0.0.1:' . $t->port(1935) . '/live';

ok(Sluice::Playback::start_endpoint($t, 'default'), 'default endpoint runs');

my $loc = $t->create_preview_event('lang1', $token);
ok($loc, 'live event with a preview') or BAIL_OUT('no live event');
my $bloc = $t->create_preview_event('lang2', $btoken);
ok($bloc, 'a second live event') or BAIL_OUT('no second live event');

# the ladder (video and audio, no language), two audio-only streams with
# a language each, and a stream with a tag that is none

my @ladder = Sluice::Ingest::fixture('ladder', duration => 10, gop => 2);
my $aonly = Sluice::Ingest::fixture('av', duration => 10, video => 0);
my $av = Sluice::Ingest::fixture('av', duration => 10, gop => 2);

my $log0 = $t->log_offset();

$t->publish(input => [@ladder], loop => 1,
    url => [ map { "$rtmp/$token/stream$_" } 1 .. 3 ]);
for my $l (qw(eng fra)) {
    $t->publish(input => $aonly, loop => 1, url => "$rtmp/$token/$l",
        args => [ '-metadata', "language=$l" ]);
}
$t->publish(input => $av, loop => 1, url => "$rtmp/$btoken/bad",
    args => [ '-metadata', 'language=not a tag!' ]);

my $pbase = "/$loc/preview.ism";
my $bbase = "/$bloc/preview.ism";

# every audio track present (three of the ladder, eng, fra) with fragments

# the languages of the audio renditions of an HLS master, sorted, as a
# string ("-": none said)

sub hls_langs {
    my ($m) = @_;
    return join ' ', sort map { /\bLANGUAGE="([^"]*)"/ ? $1 : '-' }
        ($m // '') =~ /^#EXT-X-MEDIA:(TYPE=AUDIO.*)$/mg;
}

ok($t->wait_for(sub {
    my $m = $t->get("$pbase/manifest(format=m3u8-aapl)")->{body} // '';
    return hls_langs($m) eq 'eng fra und und und';
}, timeout => 30, interval => 0.5, what => 'five audio tracks'),
    'five audio tracks') or BAIL_OUT($t->error_log());
ok(Sluice::Playback::wait_fragments($t, "$pbase/manifest", 3),
    'fragments') or BAIL_OUT($t->error_log());

# a recording of it (read back at the end)

my $paths = Sluice::Playback::record($t, 'lang1', 'o1', 'a1', 'loc1',
    manifestName => 'show');
my ($aid) = (($paths->{SmoothStreaming} // [])->[0] // '') =~ m{^/([^/]+)/};
ok($aid, 'a locator of its recording');

# --- languages in the manifests --------------------------------------------

for my $f (qw(m3u8-aapl m3u8-cmaf)) {
    my $m = $t->get("$pbase/manifest(format=$f)")->{body} // '';
    is(hls_langs($m), 'eng fra und und und',
        "$f: LANGUAGE eng, fra and und (the ladder's)") or diag($m);
    is(scalar(() = $m =~ /^#EXT-X-STREAM-INF:/mg), 3,
        "$f: three video variants");
}

# the distinct languages of the audio AdaptationSets of an MPD, of the
# audio StreamIndexes of a Smooth manifest (the ladder's audio tracks may
# share one or not, as their fragment times agree)

sub uniq_langs {
    my %s;
    return join ' ', sort grep { !$s{$_}++ } @_;
}

sub mpd_langs {
    my ($mpd) = @_;
    return uniq_langs(map { /\blang="([^"]*)"/ ? $1 : '-' }
        ($mpd // '') =~ /<AdaptationSet\b([^>]*contentType="audio"[^>]*)>/g);
}

sub ss_langs {
    my ($ss) = @_;
    return uniq_langs(map { /\bLanguage="([^"]*)"/ ? $1 : '-' }
        ($ss // '') =~ /<StreamIndex\b([^>]*Type="audio"[^>]*)>/g);
}

sub body { return $t->get($_[0])->{body} // '' }

my $mpd = $t->get("$pbase/manifest(format=mpd-time-csf)")->{body} // '';
is(mpd_langs($mpd), 'eng fra und',
    'MPD: audio AdaptationSets lang eng, fra, und') or diag($mpd);

my $ss = $t->get("$pbase/manifest")->{body} // '';
is(ss_langs($ss), 'eng fra und',
    'Smooth: audio StreamIndex Language eng, fra, und') or diag($ss);

# --- filters by language ----------------------------------------------------

sub sel {
    return { trackSelections => [ map {
        { property => $_->[0], operation => $_->[1], value => $_->[2] }
    } @_ ] };
}

my %filters = (
    fra => { tracks => [ sel([ 'Type', 'Equal', 'Audio' ],
                             [ 'Language', 'Equal', 'fra' ]),
                         sel([ 'Type', 'Equal', 'Video' ]) ] },
    nofra => { tracks => [ sel([ 'Type', 'Equal', 'Audio' ],
                               [ 'Language', 'NotEqual', 'fra' ]),
                           sel([ 'Type', 'Equal', 'Video' ]) ] },
);

for my $n (sort keys %filters) {
    my $r = $t->api(PUT => "accountFilters/$n",
        { properties => $filters{$n} });
    is($r->{status}, 201, "account filter $n") or diag($r->{body});
}

for my $f (qw(m3u8-aapl m3u8-cmaf)) {
    my $r = $t->get("$pbase/manifest(format=$f,filter=fra)");
    my $m = $r->{body} // '';
    is($r->{status}, 200, "$f filter=fra: 200");
    is(hls_langs($m), 'fra', "$f filter=fra: the fra audio only")
        or diag($m);
    like($m, qr{^\#EXT-X-MEDIA:TYPE=AUDIO,[^\n]*,URI="QualityLevels\(\d+\)
                /Manifest\(audio,format=\Q$f\E,filter=fra\)"}mx,
        "$f filter=fra: its URL filtered");
    is(scalar(() = $m =~ /^#EXT-X-STREAM-INF:/mg), 3,
        "$f filter=fra: the three video variants");

    $m = $t->get("$pbase/manifest(format=$f,filter=nofra)")->{body} // '';
    is(hls_langs($m), 'eng und und und',
        "$f filter=nofra (NotEqual): all audio but fra") or diag($m);
}

$mpd = $t->get("$pbase/manifest(format=mpd-time-csf,filter=fra)")->{body}
    // '';
is(mpd_langs($mpd), 'fra', 'MPD filter=fra: the fra audio only')
    or diag($mpd);
like($mpd, qr/contentType="video"/, 'MPD filter=fra: the video kept');
my ($vset) = $mpd
    =~ m{(<AdaptationSet\b[^>]*contentType="video".*?</AdaptationSet>)}s;
is(scalar(() = ($vset // '') =~ /<Representation\b/g), 3,
    'MPD filter=fra: three video Representations');
$mpd = $t->get("$pbase/manifest(format=mpd-time-csf,filter=nofra)")->{body}
    // '';
is(mpd_langs($mpd), 'eng und',
    'MPD filter=nofra: eng and und') or diag($mpd);

$ss = $t->get("$pbase/manifest(filter=fra)")->{body} // '';
is(ss_langs($ss), 'fra', 'Smooth filter=fra: the fra audio only')
    or diag($ss);
my ($vidx) = $ss =~ m{(<StreamIndex\b[^>]*Type="video".*?</StreamIndex>)}s;
is(scalar(() = ($vidx // '') =~ /<QualityLevel\b/g), 3,
    'Smooth filter=fra: three video QualityLevels');
$ss = $t->get("$pbase/manifest(filter=nofra)")->{body} // '';
is(ss_langs($ss), 'eng und',
    'Smooth filter=nofra: eng and und') or diag($ss);

# the eng audio through filter=fra: its playlist and segments refused

my $all = $t->get("$pbase/manifest(format=m3u8-aapl)")->{body} // '';
my ($eng) = $all
    =~ /^#EXT-X-MEDIA:TYPE=AUDIO,[^\n]*LANGUAGE="eng"[^\n]*URI="([^"]+)"/m;
ok($eng, 'the eng audio playlist') or diag($all);
my ($edir) = ($eng // '') =~ m{^(QualityLevels\(\d+\))/};
my ($eseg) = Sluice::Playback::segments(
    $t->get("$pbase/" . ($eng // 'x'))->{body} // '');
ok($eseg, 'the eng audio has segments');
is($t->get("$pbase/$edir/" . ($eseg->[0] // 'x'))->{status}, 200,
    'an eng segment without a filter: 200');
(my $fseg = $eseg->[0] // 'x') =~ s/\)(\.ts)?$/,filter=fra)$1/;
my $r = $t->get("$pbase/$edir/$fseg");
is($r->{status}, 404, 'the eng segment through filter=fra: 404');
like($r->{body}, qr/^\{"error":\{"code":"404","message":"[^"]*filter/,
    'a JSON reason');
(my $fpl = $eng // 'x') =~ s/\)$/,filter=fra)/;
is($t->get("$pbase/$fpl")->{status}, 404,
    'the eng playlist through filter=fra: 404');
(my $nseg = $eseg->[0] // 'x') =~ s/\)(\.ts)?$/,filter=nofra)$1/;
is($t->get("$pbase/$edir/$nseg")->{status}, 200,
    'the eng segment through filter=nofra: 200');

# --- an invalid tag: a warning, the track is "und" -------------------------

my $warn = 'onMetaData language "not a tag!" of stream "bad" is not a'
    . ' language tag Sluice takes, ignored';
ok($t->wait_log(qr/\[warn\] .*\Q$warn\E/, from => $log0, timeout => 20),
    'the invalid tag: a warning');

ok(Sluice::Playback::wait_fragments($t, "$bbase/manifest", 2),
    'the second event has fragments') or BAIL_OUT($t->error_log());
my $bm = $t->get("$bbase/manifest(format=m3u8-aapl)")->{body} // '';
is(hls_langs($bm), 'und', 'HLS: the invalid tag\'s audio is und')
    or diag($bm);
is(mpd_langs(body("$bbase/manifest(format=mpd-time-csf)")), 'und',
    'MPD: und');
is(ss_langs(body("$bbase/manifest")), 'und', 'Smooth: und');

# --- the recording: the languages kept in the asset ------------------------

my $abase = "/$aid/show.ism";
ok($t->wait_for(sub {
    my $m = $t->get("$abase/manifest(format=m3u8-aapl)")->{body} // '';
    return hls_langs($m) eq 'eng fra und und und';
}, timeout => 20, interval => 0.5, what => 'the recorded audio tracks'),
    'recording: LANGUAGE eng, fra and und');
is(mpd_langs(body("$abase/manifest(format=mpd-time-csf)")), 'eng fra und',
    'recording: MPD lang eng, fra, und');
is(ss_langs(body("$abase/manifest")), 'eng fra und',
    'recording: Smooth Language eng, fra, und');
is(hls_langs(body("$abase/manifest(format=m3u8-aapl,filter=fra)")), 'fra',
    'recording filter=fra: the fra audio only');

# --- players: the filtered URLs, the fra audio only -------------------------

SKIP: {
    my $why = Sluice::Players::not_ready();
    skip($why, 4) if $why;

    my @r = Sluice::Players::play_many($t, [
        [ 'hls', Sluice::Playback::url($t,
            "$pbase/manifest(format=m3u8-cmaf,filter=fra).m3u8") ],
        [ 'dash', Sluice::Playback::url($t,
            "$pbase/manifest(format=mpd-time-csf,filter=fra).mpd") ],
    ]);

    # dash.js gives the shortest tag of a language: "fr" for "fra"
    my @want = ([ 'hls.js', qr/^fra$/ ], [ 'dash.js', qr/^fra?$/ ]);

    for my $i (0, 1) {
        my ($p, $re) = @{ $want[$i] };
        my $res = $r[$i] // {};
        ok($res->{ok}, "$p plays filter=fra")
            or diag(Sluice::Players::json($res));
        like(join(' ', @{ ($res->{info} // {})->{audioLanguages} // [] }),
            $re, "$p: one audio track, fra")
            or diag(Sluice::Players::json($res));
    }
}

$t->done_testing();

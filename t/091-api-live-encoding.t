#!/usr/bin/perl

# The live event API of live encoding (encodingType Standard and
# Premium1080p) and its nginx.conf: presetName (AMS's Default720p and
# Default1080p, sluice_ladder blocks), keyFrameInterval, stretchMode,
# input.keyFrameIntervalDuration refused, what cannot change, the
# documents kept across a restart; without sluice_transcoder, 400; bad
# sluice_ladder blocks fail "nginx -t" with the rule they break.

use strict;
use warnings;

use Test::More;
use JSON::PP;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new();

my $ladder = <<'EOF';
sluice_ladder Sports540 {
    video 960x540 2500k high;
    video 640x360 1.2m main;
    video 384x216 400000 baseline fps=15;
    audio 96k;
    audio 128k;
}
EOF

# --- bad ladders: nginx -t says which rule ----------------------------------

my @bad = (
    [ "sluice_ladder L { video 640x360 800k; video 640x360 700k; }",
      qr/more than one top layer/, 'two top layers' ],
    [ "sluice_ladder L { video 320x180 300k; video 640x360 800k; }",
      qr/list the top layer \(640x360\) first/, 'top layer not first' ],
    [ "sluice_ladder L { " . join(' ', map { "video ${\ (700 - 2 * $_)}x"
      . "${\ (400 - 2 * $_)} 500k;" } 0 .. 6) . " }",
      qr/more than 6 video layers/, 'seven layers' ],
    [ "sluice_ladder L { video 640x360 800k; audio 100k; }",
      qr/invalid audio bitrate "100k"/, 'an audio bitrate AMS has not' ],
    [ "sluice_ladder L { video 641x360 800k; }",
      qr/invalid video size "641x360"/, 'an odd width' ],
    [ "sluice_ladder L { video 640x360 800k fps=60; }",
      qr/fps=1 to fps=30/, 'fps above 30' ],
    [ "sluice_ladder L { video 640x360 800k; }\n"
      . "sluice_ladder l { video 640x360 800k; }",
      qr/ladder "l" is already defined/, 'a name twice' ],
    [ "sluice_ladder default720p { video 640x360 800k; }",
      qr/already defined/, 'an AMS preset name' ],
    [ "sluice_ladder L { audio 128k; }",
      qr/has no video layer/, 'no video layer' ],
);

$t->expect_errors(qr/\[emerg\] .*(?:ladder|invalid)/);

for my $b (@bad) {
    $t->write_sluice_conf(http => "sluice_transcoder /bin/true;\n$b->[0]");
    my ($rc, $out) = $t->nginx_t();
    ok($rc != 0 && $out =~ $b->[1], "nginx -t: $b->[2]") or diag($out);
}

# --- without sluice_transcoder ----------------------------------------------

$t->write_sluice_conf(http => $ladder);
$t->run();

my $r = put('enc0', { encodingType => 'Standard' });
is($r->{status}, 400, 'no sluice_transcoder: 400');
like($r->{json}{error}{message} // '', qr/needs "sluice_transcoder"/,
    'no sluice_transcoder: the reason');
like(put('pt0', {})->{status}, qr/^20[01]$/, 'pass-through still created');

$t->stop();

# --- with it ------------------------------------------------------------------

$t->write_sluice_conf(http => "sluice_transcoder /bin/true;\n$ladder");
$t->run();

# the defaults

$r = put('std', { encodingType => 'Standard' });
like($r->{status}, qr/^20[01]$/, 'Standard: created') or diag($r->{body});
is_deeply($r->{json}{properties}{encoding}, {
    encodingType => 'Standard', presetName => 'Default720p',
    keyFrameInterval => 'PT2S', stretchMode => 'None' },
    'Standard: Default720p, PT2S, None');
is($r->{json}{properties}{input}{keyFrameIntervalDuration}, '',
    'Standard: input.keyFrameIntervalDuration empty');

$r = put('prem', { encodingType => 'Premium1080p' });
is($r->{json}{properties}{encoding}{presetName} // '', 'Default1080p',
    'Premium1080p: Default1080p');

# what is accepted

$r = put('custom', { encodingType => 'Premium1080p',
    presetName => 'sports540', keyFrameInterval => 'PT0.5S',
    stretchMode => 'AutoFit' });
like($r->{status}, qr/^20[01]$/, 'a sluice_ladder, PT0.5S, AutoFit: created')
    or diag($r->{body});
is_deeply($r->{json}{properties}{encoding}, {
    encodingType => 'Premium1080p', presetName => 'Sports540',
    keyFrameInterval => 'PT0.5S', stretchMode => 'AutoFit' },
    'the ladder with its own spelling');
like(put('std2', { encodingType => 'standard', presetName => 'default720p',
    keyFrameInterval => 'PT20S', stretchMode => 'AutoSize' })->{status},
    qr/^20[01]$/, 'names without case, PT20S, AutoSize');

# what is refused

my @refused = (
    [ { encodingType => 'Standard', presetName => 'Default1080p' },
      qr/Default1080p goes with encodingType Premium1080p/,
      'Default1080p with Standard' ],
    [ { encodingType => 'Premium1080p', presetName => 'Default720p' },
      qr/goes with encodingType Standard/, 'Default720p with Premium1080p' ],
    [ { encodingType => 'Standard', presetName => 'Nope' },
      qr/presetName 'Nope' is not a ladder/, 'an unknown preset' ],
    [ { encodingType => 'Standard', presetName => 7 },
      qr/presetName must be a string/, 'a preset that is no string' ],
    [ { encodingType => 'Standard', keyFrameInterval => 'PT0.4S' },
      qr/from PT0\.5S to PT20S/, 'keyFrameInterval PT0.4S' ],
    [ { encodingType => 'Standard', keyFrameInterval => 'PT21S' },
      qr/from PT0\.5S to PT20S/, 'keyFrameInterval PT21S' ],
    [ { encodingType => 'Standard', keyFrameInterval => '2s' },
      qr/ISO 8601 duration/, 'keyFrameInterval not ISO 8601' ],
    [ { encodingType => 'Standard', stretchMode => 'Stretch' },
      qr/None, AutoSize or AutoFit/, 'an unknown stretchMode' ],
    [ { encodingType => 'Live' },
      qr/Standard or Premium1080p/, 'an unknown encodingType' ],
    [ { encodingType => 'PassthroughStandard', presetName => 'Default720p' },
      qr/only valid for live encoding/, 'presetName for pass-through' ],
    [ { encodingType => 'None', keyFrameInterval => 'PT2S' },
      qr/cannot be set for pass-through/,
      'keyFrameInterval for pass-through' ],
    [ { encodingType => 'None', stretchMode => 'AutoFit' },
      qr/only valid for live encoding/, 'stretchMode for pass-through' ],
);

for my $c (@refused) {
    $r = put('bad', $c->[0]);
    ok($r->{status} == 400
        && ($r->{json}{error}{message} // '') =~ $c->[1]
        && ($r->{json}{error}{code} // '') eq 'BadRequest',
        "400: $c->[2]") or diag($r->{body});
}

$r = put('bad', { encodingType => 'Standard' },
    { keyFrameIntervalDuration => 'PT2S' });
ok($r->{status} == 400 && ($r->{json}{error}{message} // '')
    =~ /keyFrameIntervalDuration must be empty for live encoding/,
    '400: input.keyFrameIntervalDuration of an encoding event')
    or diag($r->{body});
is($t->api(GET => 'liveEvents/bad')->{status}, 404, 'nothing created');

# what cannot change

$r = put('std', { encodingType => 'None' });
ok($r->{status} == 400 && ($r->{json}{error}{message} // '')
    =~ /encodingType cannot be changed/, 'encodingType cannot change');
$r = put('custom', { encodingType => 'Premium1080p',
    presetName => 'Default1080p' });
ok($r->{status} == 400 && ($r->{json}{error}{message} // '')
    =~ /presetName cannot be changed/, 'presetName cannot change');
$r = put('custom', { encodingType => 'Premium1080p',
    presetName => 'Sports540', keyFrameInterval => 'PT0.5S',
    stretchMode => 'AutoFit' });
is($r->{status}, 200, 'the same again: 200');

# kept across a restart

my %before = map { $_ => $t->api(GET => "liveEvents/$_")->{json}
    {properties}{encoding} } qw(std prem custom);
$t->stop();
$t->run();
for my $n (sort keys %before) {
    is_deeply($t->api(GET => "liveEvents/$n")->{json}{properties}{encoding},
        $before{$n}, "$n: the same after a restart");
}

# nginx.conf without the transcoder and the ladder: the events stay (a
# publisher is refused with the reason, the API keeps the documents)

$t->stop();
$t->write_sluice_conf();
$t->run();
is($t->api(GET => 'liveEvents/custom')->{json}{properties}{encoding}
    {presetName} // '', 'Sports540', 'without the ladder: the event stays');
is($t->api(GET => 'liveEvents/std')->{status}, 200,
    'without sluice_transcoder: the event stays');

$t->done_testing();


sub put {
    my ($name, $enc, $input) = @_;

    return $t->api(PUT => "liveEvents/$name", {
        location => 'local',
        properties => {
            input => { streamingProtocol => 'RTMP',
                       accessToken => "tok-$name",
                       %{$input // {}} },
            encoding => $enc,
        } });
}

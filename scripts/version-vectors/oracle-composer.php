<?php
// Oracle for Composer versions: composer/semver's VersionParser::normalize, then Comparator on
// the normalised strings (PHP's version_compare). Branches (dev-*) have no order: invalid.
//   php oracle-composer.php compare  < "a<TAB>b" lines  > -1, 0, 1 or "invalid" per line
//   php oracle-composer.php validate < versions         > "valid" or "invalid" per line
require '/usr/share/php/Composer/Semver/autoload.php';

use Composer\Semver\Comparator;
use Composer\Semver\VersionParser;

function normalized(VersionParser $parser, string $text): ?string
{
    try {
        $version = $parser->normalize($text);
    } catch (UnexpectedValueException $e) {
        return null;
    }

    return strpos($version, 'dev-') === 0 ? null : $version;
}

$parser = new VersionParser();
$mode = $argv[1];
while (($line = fgets(STDIN)) !== false) {
    $fields = explode("\t", rtrim($line, "\n"));
    if ($mode === 'compare') {
        $a = normalized($parser, $fields[0]);
        $b = normalized($parser, $fields[1]);
        if ($a === null || $b === null) {
            echo "invalid\n";
        } elseif (Comparator::lessThan($a, $b)) {
            echo "-1\n";
        } elseif (Comparator::equalTo($a, $b)) {
            echo "0\n";
        } else {
            echo (Comparator::greaterThan($a, $b) ? "1" : "unordered"), "\n";
        }
    } else {
        echo (normalized($parser, $fields[0]) === null ? 'invalid' : 'valid'), "\n";
    }
}

/** Made-up applicants: names by language, birth dates and e-mail addresses on example domains. */
import { addDays, type IsoDate } from '$lib/time';
import type { ProductModel } from './product-models';
import type { Random } from './random';

const NAMES: Record<string, { first: readonly string[]; last: readonly string[] }> = {
	ar: {
		first: [
			'Mohammed',
			'Ahmad',
			'Omar',
			'Yusuf',
			'Fatima',
			'Amal',
			'Rania',
			'Layla',
			'Khaled',
			'Noor'
		],
		last: ['Haddad', 'Al-Hassan', 'Khalil', 'Ibrahim', 'Mansour', 'Saleh', 'Darwish', 'Nasser']
	},
	tr: {
		first: ['Mehmet', 'Ayse', 'Emre', 'Zeynep', 'Murat', 'Elif', 'Burak', 'Fatma'],
		last: ['Yilmaz', 'Kaya', 'Demir', 'Sahin', 'Celik', 'Aydin', 'Ozturk']
	},
	fa: {
		first: ['Ali', 'Reza', 'Zahra', 'Maryam', 'Hossein', 'Shirin', 'Farid', 'Sahar'],
		last: ['Ahmadi', 'Hosseini', 'Rahimi', 'Karimi', 'Sultani', 'Hakimi', 'Noori']
	},
	ti: {
		first: ['Yonas', 'Selam', 'Tesfay', 'Helen', 'Dawit', 'Senait', 'Filmon', 'Luwam'],
		last: ['Tesfamariam', 'Gebremedhin', 'Haile', 'Berhane', 'Tekle', 'Ghebreyesus']
	},
	so: {
		first: ['Abdi', 'Hodan', 'Mohamed', 'Sahra', 'Farah', 'Ifrah'],
		last: ['Warsame', 'Hassan', 'Abdullahi', 'Osman', 'Jama']
	},
	en: {
		first: [
			'James',
			'Emily',
			'Daniel',
			'Grace',
			'Michael',
			'Sarah',
			'David',
			'Olivia',
			'Samuel',
			'Chloe'
		],
		last: ['Smith', 'Johnson', 'Brown', 'Okafor', 'Williams', 'Taylor', 'Mensah', 'Walker']
	},
	fr: {
		first: ['Jean', 'Marie', 'Aminata', 'Moussa', 'Claire', 'Ibrahima'],
		last: ['Diallo', 'Traore', 'Martin', 'Kabila', 'Dubois', 'Mbeki']
	},
	ru: {
		first: ['Dmitri', 'Anna', 'Sergei', 'Olga', 'Ivan', 'Natalia'],
		last: ['Ivanov', 'Petrova', 'Smirnov', 'Volkova', 'Sokolov']
	},
	uk: {
		first: ['Oleksandr', 'Olena', 'Andriy', 'Iryna', 'Taras', 'Kateryna'],
		last: ['Shevchenko', 'Kovalenko', 'Bondarenko', 'Tkachenko', 'Melnyk']
	},
	es: {
		first: ['Carlos', 'Maria', 'Javier', 'Lucia', 'Diego', 'Valentina'],
		last: ['Garcia', 'Rodriguez', 'Martinez', 'Lopez', 'Gonzalez', 'Fernandez']
	},
	nl: {
		first: ['Jan', 'Sanne', 'Pieter', 'Fleur', 'Daan', 'Lotte', 'Ahmed', 'Noa'],
		last: ['de Vries', 'Jansen', 'Bakker', 'Visser', 'Smit', 'van Dijk', 'Bouali']
	},
	zh: {
		first: ['Wei', 'Fang', 'Jun', 'Li', 'Hao', 'Xin', 'Yan'],
		last: ['Wang', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang']
	},
	hi: {
		first: ['Arjun', 'Priya', 'Rahul', 'Ananya', 'Vikram', 'Neha', 'Rohan'],
		last: ['Sharma', 'Patel', 'Iyer', 'Reddy', 'Gupta', 'Nair']
	},
	de: {
		first: ['Lukas', 'Lea', 'Jonas', 'Hannah', 'Felix', 'Mia'],
		last: ['Muller', 'Schmidt', 'Schneider', 'Fischer', 'Weber']
	}
};

const EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net'];

export interface Applicant {
	name: string;
	birthDate: IsoDate;
	language: string;
	email?: string;
}

export function makeApplicant(
	model: ProductModel,
	submittedDay: IsoDate,
	random: Random
): Applicant {
	const language = random.weighted(model.languages);
	const names = NAMES[language] ?? NAMES.en;
	const first = random.pick(names.first);
	const last = random.pick(names.last);
	const age = random.int(model.ages[0], model.ages[1]);
	const birthDate = addDays(`${Number(submittedDay.slice(0, 4)) - age}-01-01`, -random.int(0, 364));
	const applicant: Applicant = { name: `${first} ${last}`, birthDate, language };
	if (random.chance(model.emailShare)) {
		const local = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '');
		applicant.email = `${local}${random.int(1, 999)}@${random.pick(EMAIL_DOMAINS)}`;
	}
	return applicant;
}
